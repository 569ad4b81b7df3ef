/** RFC 4180 parser, written from the RFC for the tests (independent of app/csv.ts): CRLF records only. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') ((field += '"'), i++);
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") (row.push(field), (field = ""));
    else if (ch === "\r" && text[i + 1] === "\n") (row.push(field), rows.push(row), (row = []), (field = ""), i++);
    else if (ch === "\n") throw new Error(`bare LF at ${i}`);
    else field += ch;
  }
  if (field !== "" || row.length) throw new Error("last record has no CRLF");
  return rows;
}
