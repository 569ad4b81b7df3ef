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
