// A bench's figures as JSON, written when the bench is given `--json FILE`, so `npm run bench`
// (bench/run.ts) reads numbers instead of scraping the printed text. The printed report is unchanged.
import { writeFileSync } from "node:fs";

/** Writes `figures` to `file` (pretty JSON); does nothing when no file was asked for. */
export function writeFigures(file: string | undefined, figures: Record<string, unknown>): void {
  if (file) writeFileSync(file, JSON.stringify(figures, null, 2) + "\n");
}
