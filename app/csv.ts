// CSV as spreadsheets read it: RFC 4180 (comma separated, CRLF line ends, fields with a comma,
// quote or line break quoted, quotes doubled), safe to open in Excel, Numbers or Sheets.
//
// Formula injection (OWASP "CSV injection"): a text cell that starts with = + - @ (or a tab or
// carriage return, which some spreadsheets skip before reading a formula) is prefixed with a
// single quote, so a customer named "=HYPERLINK(…)" is shown as text, never evaluated. Only text is
// guarded: numbers are written as numbers, so −50 points stays a number a sheet can sum.
//
// `csvStream` turns pages of rows into a byte stream, one page at a time, so a 200,000-row export
// never sits in memory as one string.

export type CsvValue = string | number | boolean | Date | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field, guarded and quoted as needed. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Date) return value.toISOString();
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record with its CRLF line end. */
export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

/** A whole document (small exports and tests). */
export function csvDocument(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  let out = csvRow(header);
  for (const row of rows) out += csvRow(row);
  return out;
}

/**
 * A UTF-8 byte stream of the header then every page `pages` yields, pulled page by page as the
 * client reads (back-pressure: a slow download does not buffer the whole export). Starts with a
 * byte order mark so Excel reads non-ASCII names as UTF-8.
 */
export function csvStream(
  header: readonly string[],
  pages: AsyncIterable<readonly (readonly CsvValue[])[]>,
  { bom = true }: { bom?: boolean } = {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = pages[Symbol.asyncIterator]();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`${bom ? "\uFEFF" : ""}${csvRow(header)}`));
        return;
      }
      try {
        const next = await iterator.next();
        if (next.done) {
          controller.close();
          return;
        }
        let chunk = "";
        for (const row of next.value) chunk += csvRow(row);
        if (chunk) controller.enqueue(encoder.encode(chunk));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/** A `Content-Disposition` value for a download named `filename` (ASCII fallback plus RFC 5987 form). */
export function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

// Reading: a streaming RFC 4180 reader for uploads (the points import). It takes text chunks as
// they arrive and yields one record at a time, so a file is never one string in memory. It is
// lenient where spreadsheets are (LF or CR line ends as well as CRLF, a stray quote inside an
// unquoted field kept as text) and strict where data would be lost: a quoted field still open at
// the end of the file is reported on the line it started.

export interface CsvRecord {
  /** The line the record starts on, 1-based (a quoted field may span lines). */
  line: number;
  fields: string[];
  /** Set when the record could not be read as CSV (an unterminated quote). */
  error?: string;
}

/** Bytes → text chunks, UTF-8, a leading byte order mark dropped. */
export async function* utf8Chunks(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8");
  for await (const chunk of bytes) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** The records of a CSV document arriving as text chunks. Blank lines are skipped. */
export async function* csvRecords(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  let fields: string[] = [];
  let field = "";
  let quoted = false; // inside a quoted field
  let afterQuote = false; // just read a quote inside a quoted field: a second one is an escaped quote
  let fieldStarted = false;
  let line = 1;
  let recordLine = 1;
  let quotedCr = false; // the last character inside a quoted field was a CR
  let pendingCr = false; // a CR ended a record; an LF right after it belongs to the same line end
  let first = true;
  const finish = (): CsvRecord | null => {
    fields.push(field);
    const record = fields.length === 1 && fields[0] === "" && !fieldStarted ? null : { line: recordLine, fields };
    fields = [];
    field = "";
    fieldStarted = false;
    return record;
  };
  for await (let text of chunks) {
    if (first) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (pendingCr) {
        pendingCr = false;
        if (ch === "\n") continue;
      }
      if (quoted) {
        if (afterQuote) {
          afterQuote = false;
          if (ch === '"') {
            field += '"';
            continue;
          }
          quoted = false; // the quote closed the field; fall through to read `ch` unquoted
        } else {
          if (ch === '"') afterQuote = true;
          else {
            // A line break inside the field: CRLF counts once, even split across two chunks.
            if (ch === "\r" || (ch === "\n" && !quotedCr)) line++;
            quotedCr = ch === "\r";
            field += ch;
          }
          continue;
        }
      }
      if (ch === ",") {
        fields.push(field);
        field = "";
        fieldStarted = true;
      } else if (ch === "\r" || ch === "\n") {
        const record = finish();
        if (record) yield record;
        line++;
        recordLine = line;
        pendingCr = ch === "\r";
      } else if (ch === '"' && field === "") {
        quoted = true;
        fieldStarted = true;
      } else {
        field += ch;
      }
    }
  }
  if (quoted && !afterQuote) {
    yield { line: recordLine, fields: [...fields, field], error: 'A quoted field is never closed (a missing ").' };
    return;
  }
  const record = finish();
  if (record) yield record;
}
