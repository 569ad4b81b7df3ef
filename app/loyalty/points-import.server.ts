// Importing starting balances from another loyalty app's CSV export (Smile.io, LoyaltyLion,
// Yotpo, or a file the owner made): each row names a customer (Shopify customer ID or email) and a
// points balance, which becomes one `adjust` ledger row for that customer.
//
// Idempotent per file: rows are keyed `import:<SHA-256 of the file>:<customer id>`, so uploading
// the same file again appends nothing. A different file adds its points again (as Smile's and
// LoyaltyLion's "add to balance" imports do): the owner imports a file once.
//
// Streamed: the file is read twice from `open()` (once to hash it, once to import it), a batch of
// rows at a time, so a 100,000-row file is never in memory. Nothing is created for a customer the
// shop does not know: the row is reported. Every row that is not imported is reported with its
// line and the reason, through `onProblem`, as it is found.
import { createHash } from "node:crypto";
import { db } from "../db.server";
import { query, toNumber } from "../db/sql.server";
import { csvRecords, utf8Chunks } from "../csv";
import { appendEntries, MAX_LEDGER_POINTS, type NewLedgerEntry } from "./ledger.server";

/** What the customer sees on the row in their points history. */
export const IMPORT_REASON = "Points carried over from our previous rewards program";
export const IMPORT_BATCH = 500;

/**
 * Header names recognised for each column, compared lower-cased with spaces, dashes and dots as
 * underscores. docs/loyalty-rules.md says which come from each app's documentation and which are
 * guesses.
 */
export const IMPORT_COLUMNS = {
  customerId: [
    "shopify_customer_id",
    "customer_id",
    "shopify_id",
    "merchant_id",
    "platform_customer_id",
    "external_customer_id",
    "id",
  ],
  email: ["email", "customer_email", "email_address", "e_mail"],
  points: [
    "points",
    "points_balance",
    "point_balance",
    "balance",
    "points_approved",
    "approved_points",
    "current_points",
    "available_points",
    "swell_point_balance",
    "loyalty_points",
  ],
} as const;

export type ImportColumns = { customerId: number | null; email: number | null; points: number };

export class ImportFileError extends Error {
  name = "ImportFileError";
}

export interface ImportProblem {
  line: number;
  reason: string;
}

export interface ImportProgress {
  /** Data rows read so far (the header not counted). */
  rows: number;
  imported: number;
  alreadyImported: number;
  /** Rows with a balance of zero: nothing to import. */
  zero: number;
  /** Rows naming no customer of this shop. */
  unknown: number;
  /** Rows reported with a reason (unknown customers included). */
  problems: number;
  points: number;
}

export interface ImportResult extends ImportProgress {
  fileHash: string;
}

const normalise = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s.-]+/g, "_");

/** Which column holds what, from the header row; throws ImportFileError naming what is missing. */
export function recogniseColumns(header: string[]): ImportColumns {
  const names = header.map(normalise);
  const find = (candidates: readonly string[]) => {
    for (const candidate of candidates) {
      const at = names.indexOf(candidate);
      if (at >= 0) return at;
    }
    return null;
  };
  const points = find(IMPORT_COLUMNS.points);
  const customerId = find(IMPORT_COLUMNS.customerId);
  const email = find(IMPORT_COLUMNS.email);
  if (points === null)
    throw new ImportFileError(
      `No points column: name one "points" or "points_balance" (found: ${header.join(", ") || "nothing"}).`,
    );
  if (customerId === null && email === null) throw new ImportFileError('No customer column: name one "email" or "customer_id".');
  return { customerId, email, points };
}

type Row = { line: number; customerId: string | null; email: string | null; points: number };

/** One data row checked on its own: the row, or the reason it cannot be imported. */
export function readRow(columns: ImportColumns, fields: string[], line: number): Row | ImportProblem {
  const cell = (at: number | null) => (at === null ? "" : (fields[at] ?? "").trim());
  const rawId = cell(columns.customerId);
  const email = cell(columns.email).toLowerCase() || null;
  const rawPoints = cell(columns.points).replace(/^\+/, "");
  let customerId: string | null = null;
  if (rawId) {
    const m = /^(?:gid:\/\/shopify\/Customer\/)?(\d{1,20})$/i.exec(rawId);
    if (!m) return { line, reason: `"${rawId.slice(0, 40)}" is not a Shopify customer ID.` };
    customerId = m[1];
  }
  if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) {
    if (!customerId) return { line, reason: `"${email.slice(0, 80)}" is not an email address.` };
  }
  if (!customerId && !email) return { line, reason: "No customer ID or email on this row." };
  if (!rawPoints) return { line, reason: "No points balance on this row." };
  // Whole points; "1200.0" as some exports write it is accepted, "12.5" and "1,200" are not.
  const m = /^(-?\d{1,12})(?:\.0+)?$/.exec(rawPoints);
  if (!m) return { line, reason: `"${rawPoints.slice(0, 40)}" is not a whole number of points.` };
  const points = Number(m[1]);
  if (points < 0) return { line, reason: `A starting balance cannot be negative (${points}).` };
  if (points > MAX_LEDGER_POINTS)
    return { line, reason: `${points} points is more than one balance may hold (${MAX_LEDGER_POINTS}).` };
  return { line, customerId, email: email && /^[^\s@]+@[^\s@]+$/.test(email) ? email : null, points };
}

/** Reads only the header row: the columns, or ImportFileError before anything is imported. */
export async function checkHeader(bytes: AsyncIterable<Uint8Array>): Promise<ImportColumns> {
  for await (const record of csvRecords(utf8Chunks(bytes))) {
    if (record.error) throw new ImportFileError(record.error);
    return recogniseColumns(record.fields);
  }
  throw new ImportFileError("The file is empty: it needs a header row and one row per customer.");
}

/** SHA-256 of the bytes, hex. */
export async function hashOf(bytes: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of bytes) hash.update(chunk);
  return hash.digest("hex");
}

export interface ImportOptions {
  actor: string | null;
  onProblem?: (problem: ImportProblem) => void;
  onProgress?: (progress: ImportProgress) => void;
  batchSize?: number;
}

/** Imports the balances of the CSV `open()` yields (called twice); see the top of this file. */
export async function importBalances(
  shop: string,
  open: () => AsyncIterable<Uint8Array>,
  options: ImportOptions,
): Promise<ImportResult> {
  const fileHash = await hashOf(open());
  const progress: ImportProgress = { rows: 0, imported: 0, alreadyImported: 0, zero: 0, unknown: 0, problems: 0, points: 0 };
  const report = (problem: ImportProblem) => {
    progress.problems++;
    options.onProblem?.(problem);
  };
  // Which line first named each customer (ints: bounded by the shop's customers, not the file).
  const firstLine = new Map<number, number>();
  let columns: ImportColumns | null = null;
  let batch: Row[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await importBatch(shop, fileHash, batch, firstLine, progress, report, options.actor);
    batch = [];
    options.onProgress?.({ ...progress });
  };
  for await (const record of csvRecords(utf8Chunks(open()))) {
    if (!columns) {
      if (record.error) throw new ImportFileError(record.error);
      columns = recogniseColumns(record.fields);
      continue;
    }
    progress.rows++;
    if (record.error) {
      report({ line: record.line, reason: record.error });
      continue;
    }
    const row = readRow(columns, record.fields, record.line);
    if ("reason" in row) {
      report(row);
      continue;
    }
    if (row.points === 0) {
      progress.zero++;
      continue;
    }
    batch.push(row);
    if (batch.length >= (options.batchSize ?? IMPORT_BATCH)) await flush();
  }
  if (!columns) throw new ImportFileError("The file is empty: it needs a header row and one row per customer.");
  await flush();
  return { ...progress, fileHash };
}

type Found = { id: number; shopifyId: string; email: string | null; redacted: boolean };

async function importBatch(
  shop: string,
  fileHash: string,
  rows: Row[],
  firstLine: Map<number, number>,
  progress: ImportProgress,
  report: (p: ImportProblem) => void,
  actor: string | null,
) {
  const ids = [...new Set(rows.flatMap((r) => (r.customerId ? [r.customerId] : [])))];
  const emails = [...new Set(rows.flatMap((r) => (r.email ? [r.email] : [])))];
  const found: Found[] = [];
  const select = `SELECT "id", "shopifyId", "email", "redactedAt" FROM "Customer" WHERE "shop" = ?`;
  const toFound = (r: { id: unknown; shopifyId: string; email: string | null; redactedAt: unknown }): Found => ({
    id: toNumber(r.id),
    shopifyId: String(r.shopifyId),
    email: r.email?.toLowerCase() ?? null,
    redacted: Boolean(r.redactedAt),
  });
  type Raw = { id: unknown; shopifyId: string; email: string | null; redactedAt: unknown };
  if (ids.length)
    found.push(
      ...(await query<Raw>(db, `${select} AND "shopifyId" IN (${ids.map(() => "?").join(", ")})`, [shop, ...ids])).map(toFound),
    );
  if (emails.length) {
    found.push(
      ...(await query<Raw>(db, `${select} AND LOWER("email") IN (${emails.map(() => "?").join(", ")})`, [shop, ...emails])).map(
        toFound,
      ),
    );
  }
  const byShopifyId = new Map(found.map((c) => [c.shopifyId, c]));
  const byEmail = new Map<string, Found[]>();
  for (const c of new Map(found.map((f) => [f.id, f])).values()) {
    if (c.email) byEmail.set(c.email, [...(byEmail.get(c.email) ?? []), c]);
  }

  const entries: (NewLedgerEntry & { line: number })[] = [];
  for (const row of rows) {
    let customer = row.customerId ? byShopifyId.get(row.customerId) : undefined;
    if (!customer && row.email) {
      const matches = byEmail.get(row.email) ?? [];
      if (matches.length > 1) {
        report({
          line: row.line,
          reason: `${matches.length} customers share the email ${row.email}: give the Shopify customer ID instead.`,
        });
        continue;
      }
      customer = matches[0];
    }
    if (!customer) {
      progress.unknown++;
      report({
        line: row.line,
        reason: `No customer ${[row.customerId && `with Shopify ID ${row.customerId}`, row.email && `with email ${row.email}`].filter(Boolean).join(" or ")} in this shop.`,
      });
      continue;
    }
    if (customer.redacted) {
      report({ line: row.line, reason: "This customer's data was erased at their request: their points cannot be imported." });
      continue;
    }
    const earlier = firstLine.get(customer.id);
    if (earlier !== undefined) {
      report({ line: row.line, reason: `The same customer is on line ${earlier}: only that line was imported.` });
      continue;
    }
    firstLine.set(customer.id, row.line);
    entries.push({
      line: row.line,
      shop,
      customerId: customer.id,
      delta: row.points,
      kind: "adjust",
      reason: IMPORT_REASON,
      idempotencyKey: `import:${fileHash}:${customer.id}`,
      actor,
    });
  }
  if (entries.length === 0) return;
  const appended = await db.$transaction((tx) =>
    appendEntries(
      tx,
      entries.map(({ line: _line, ...entry }) => entry),
    ),
  );
  progress.imported += appended.length;
  progress.alreadyImported += entries.length - appended.length;
  for (const e of appended) progress.points += e.delta;
}
