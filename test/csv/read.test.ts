// The streaming CSV reader behind the points import: RFC 4180 records from text chunks split
// anywhere, line numbers that point at the file's lines, and the malformed cases spreadsheets make.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { csvDocument, csvRecords, utf8Chunks, type CsvRecord } from "../../app/csv";

async function read(chunks: string[]): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  async function* source() {
    yield* chunks;
  }
  for await (const record of csvRecords(source())) out.push(record);
  return out;
}

describe("csvRecords", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks, numbering records by their first line", async () => {
    const text = 'email,points\r\n"a,b@example.com",10\r\n"say ""hi""\r\nthere",20\r\nlast@example.com,30';
    expect(await read([text])).toEqual([
      { line: 1, fields: ["email", "points"] },
      { line: 2, fields: ["a,b@example.com", "10"] },
      { line: 3, fields: ['say "hi"\r\nthere', "20"] },
      { line: 5, fields: ["last@example.com", "30"] },
    ]);
  });

  it("accepts LF and CR line ends, drops a byte order mark and skips blank lines", async () => {
    expect(await read(["\uFEFFa,b\n\n1,2\r3,4\n"])).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 3, fields: ["1", "2"] },
      { line: 4, fields: ["3", "4"] },
    ]);
  });

  it("reports a quoted field left open at the end on the line it started", async () => {
    const records = await read(['a,b\n1,2\n"open,3\n4,5\n']);
    expect(records.at(-1)).toMatchObject({ line: 3, error: expect.stringContaining("never closed") });
  });

  it("reads the same records however the text is split into chunks (CRLF and quotes split too)", async () => {
    const cell = fc.oneof(fc.string(), fc.constantFrom('"', ",", "\r\n", "x\ny", '""'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (rows, cuts) => {
          // csvDocument guards formulas with a leading quote: compare against what it wrote.
          const text = csvDocument(["h1", "h2"], rows);
          const whole = await read([text]);
          const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const pieces = [0, ...at].map((start, i) => text.slice(start, [...at, text.length][i]));
          expect(await read(pieces)).toEqual(whole);
          expect(whole.length).toBe(rows.length + 1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("decodes UTF-8 split inside a character", async () => {
    const bytes = new TextEncoder().encode("name\nشیرین\n");
    async function* split() {
      yield bytes.slice(0, 7);
      yield bytes.slice(7);
    }
    const records: CsvRecord[] = [];
    for await (const r of csvRecords(utf8Chunks(split()))) records.push(r);
    expect(records[1].fields).toEqual(["شیرین"]);
  });
});
