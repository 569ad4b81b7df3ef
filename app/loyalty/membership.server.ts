// Shopify customers as Regulars members.
import type { Tx } from "../db.server";
import { execute, insertRows, query, timestampValue } from "../db/sql.server";
import type { CustomerRecord } from "./records";
import { appendEntry } from "./ledger.server";
import type { Program } from "./program";
import { checkBirthday } from "./birthday";

/**
 * Inserts or refreshes customers and returns their ids by Shopify id. Profile fields are only
 * overwritten by values, never by blanks. A customer whose stored profile already says what this
 * one says is left untouched (no new row version, no index writes, `updatedAt` kept): most calls
 * repeat what is stored (every order of a returning customer carries the profile; the history
 * import's customer file repeats what its orders carried), and rewriting those rows was half of
 * the import's customer work. Their ids come from a read instead.
 */
export async function upsertCustomers(tx: Tx, shop: string, customers: CustomerRecord[]): Promise<Map<string, number>> {
  const unique = [...new Map(customers.map((c) => [c.shopifyId, c])).values()];
  const ids = await saveCustomers(tx, shop, unique);
  const unchanged = unique.filter((c) => !ids.has(c.shopifyId)).map((c) => c.shopifyId);
  if (unchanged.length > 0) {
    const known = await query<{ id: number; shopifyId: string }>(
      tx,
      `SELECT "id", "shopifyId" FROM "Customer" WHERE "shop" = ? AND "shopifyId" IN (${unchanged.map(() => "?").join(", ")})`,
      [shop, ...unchanged],
    );
    for (const row of known) ids.set(String(row.shopifyId), Number(row.id));
  }
  return ids;
}

/**
 * `upsertCustomers` for a caller that needs no ids (the history import's customer file): returns
 * the ids of the customers it inserted or changed only, and reads nothing back for the others.
 */
export async function saveCustomers(tx: Tx, shop: string, customers: CustomerRecord[]): Promise<Map<string, number>> {
  const unique = [...new Map(customers.map((c) => [c.shopifyId, c])).values()];
  const ids = new Map<string, number>();
  if (unique.length === 0) return ids;
  const now = new Date();
  const values = insertRows(
    ["text", "text", "text", "text", "text", "timestamp", "timestamp", "timestamp"],
    unique.map((c) => [shop, c.shopifyId, c.email, c.firstName, c.lastName, now, now, now]),
  );
  const email = `COALESCE(excluded."email", "Customer"."email")`;
  const firstName = `COALESCE(excluded."firstName", "Customer"."firstName")`;
  const lastName = `COALESCE(excluded."lastName", "Customer"."lastName")`;
  const enrolledAt = `COALESCE("Customer"."enrolledAt", excluded."enrolledAt")`;
  const rows = await query<{ id: number; shopifyId: string }>(
    tx,
    `INSERT INTO "Customer" ("shop", "shopifyId", "email", "firstName", "lastName", "enrolledAt", "createdAt", "updatedAt")
     ${values.sql}
     ON CONFLICT ("shop", "shopifyId") DO UPDATE SET
       "email" = ${email}, "firstName" = ${firstName}, "lastName" = ${lastName}, "enrolledAt" = ${enrolledAt},
       "updatedAt" = excluded."updatedAt"
     WHERE "Customer"."email" IS DISTINCT FROM ${email} OR "Customer"."firstName" IS DISTINCT FROM ${firstName}
       OR "Customer"."lastName" IS DISTINCT FROM ${lastName} OR "Customer"."enrolledAt" IS DISTINCT FROM ${enrolledAt}
     RETURNING "id", "shopifyId"`,
    values.params,
  );
  for (const row of rows) ids.set(String(row.shopifyId), Number(row.id));
  return ids;
}

/** customers/create: the member exists from now on, with the sign-up bonus if the program gives one. */
export async function onCustomerCreated(tx: Tx, shop: string, program: Program, customer: CustomerRecord) {
  const ids = await upsertCustomers(tx, shop, [customer]);
  await birthdayFromShopify(tx, ids.get(customer.shopifyId)!, customer.birthDate);
  if (!program.signupBonusEnabled || program.signupBonusPoints <= 0) return;
  await appendEntry(tx, {
    shop,
    customerId: ids.get(customer.shopifyId)!,
    delta: program.signupBonusPoints,
    kind: "bonus",
    reason: "Sign-up bonus",
    idempotencyKey: `customer:${customer.shopifyId}:signup`,
  });
}

/** customers/update: the profile, and Shopify's birth date while Regulars has none. */
export async function onCustomerUpdated(tx: Tx, shop: string, customer: CustomerRecord) {
  const ids = await upsertCustomers(tx, shop, [customer]);
  await birthdayFromShopify(tx, ids.get(customer.shopifyId)!, customer.birthDate);
}

/** Month and day of Shopify's `facts.birth_date` (YYYY-MM-DD), or null when it is not a date. */
function monthDayOf(birthDate: string | null | undefined): string | null {
  if (!birthDate || !/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) return null;
  // A day the calendar has (29 February only in a leap year): Date would roll it into March.
  const day = new Date(`${birthDate}T00:00:00Z`);
  if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== birthDate) return null;
  const checked = checkBirthday(birthDate.slice(5, 10));
  return checked.ok ? checked.birthday : null;
}

/**
 * Shopify's `facts.birth_date` (YYYY-MM-DD) from a customers/create or update payload: taken only
 * while Regulars has no birthday for the customer, so it cannot reopen the once-a-year change.
 * When it was learned is kept: a birthday already past this year pays next year, so installing the
 * app (or importing the history) late in the year does not pay every known birthday at once.
 */
export async function birthdayFromShopify(tx: Tx, customerId: number, birthDate: string | null | undefined) {
  const birthday = monthDayOf(birthDate);
  if (!birthday) return;
  await tx.customer.updateMany({ where: { id: customerId, birthday: null }, data: { birthday, birthdayLearnedAt: new Date() } });
}

/**
 * The same for the customers of a history import, set-based: one statement per distinct birthday
 * (at most 366) instead of one per customer.
 */
export async function birthdaysFromShopify(tx: Tx, shop: string, customers: CustomerRecord[]) {
  const byBirthday = new Map<string, string[]>();
  for (const c of customers) {
    const birthday = monthDayOf(c.birthDate);
    if (birthday) byBirthday.set(birthday, [...(byBirthday.get(birthday) ?? []), c.shopifyId]);
  }
  const learnedAt = timestampValue(new Date());
  for (const [birthday, ids] of byBirthday) {
    await execute(
      tx,
      `UPDATE "Customer" SET "birthday" = ?, "birthdayLearnedAt" = ${learnedAt.sql}
       WHERE "shop" = ? AND "birthday" IS NULL AND "shopifyId" IN (${ids.map(() => "?").join(", ")})`,
      [birthday, learnedAt.param, shop, ...ids],
    );
  }
}
