// Birthdays (docs/loyalty-rules.md): the shopper gives month and day ("MM-DD") once in the widget,
// or Shopify's `facts.birth_date` customer metafield supplies it; a change is allowed once in 365
// days so nobody farms the bonus. The bonus is paid once a year, on or after the day (shop's time
// zone), by a daily job; a 29 February birthday is paid on 28 February in other years.
//
// A birthday given on or after this year's day waits for next year: otherwise naming yesterday
// would pay at once. The key `customer:<id>:birthday:<year>` pays each year once, however often
// the job runs and from however many processes.
import { db, dialect } from "../db.server";
import { dayOf } from "../analytics/time";
import { birthdayYearDue, checkBirthday } from "./birthday";
import { query } from "../db/sql.server";
import { log } from "../log.server";
import { appendEntries, type NewLedgerEntry } from "./ledger.server";
import { upsertCustomers } from "./membership.server";

export const CHANGE_EVERY_DAYS = 365;
const DAY_MS = 24 * 3600 * 1000;
const BATCH_SIZE = 500;

export type SetBirthdayResult =
  | { ok: true; birthday: string }
  | { ok: false; error: "invalid_birthday"; reason: string }
  | { ok: false; error: "birthday_locked"; birthday: string; changeableOn: string };

/**
 * The shopper's own birthday (the widget). The same date again is no change; a different one
 * within 365 days of the last is refused with the day it may change again.
 */
export async function setBirthday(
  shop: string,
  customerShopifyId: string,
  input: unknown,
  now = new Date(),
): Promise<SetBirthdayResult> {
  const checked = checkBirthday(input);
  if (!checked.ok) return { ok: false, error: "invalid_birthday", reason: checked.reason };
  return db.$transaction(async (tx) => {
    const ids = await upsertCustomers(tx, shop, [{ shopifyId: customerShopifyId, email: null, firstName: null, lastName: null }]);
    const id = ids.get(customerShopifyId)!;
    const [row] = await query<{ birthday: string | null; birthdayChangedAt: unknown }>(
      tx,
      `SELECT "birthday", "birthdayChangedAt" FROM "Customer" WHERE "id" = ?${lockClause()}`,
      [id],
    );
    if (row?.birthday === checked.birthday) return { ok: true as const, birthday: checked.birthday };
    const changedAt = row?.birthdayChangedAt == null ? null : toDate(row.birthdayChangedAt);
    if (row?.birthday && changedAt && now.getTime() - changedAt.getTime() < CHANGE_EVERY_DAYS * DAY_MS) {
      const changeableOn = new Date(changedAt.getTime() + CHANGE_EVERY_DAYS * DAY_MS).toISOString().slice(0, 10);
      return { ok: false as const, error: "birthday_locked" as const, birthday: row.birthday, changeableOn };
    }
    await tx.customer.update({
      where: { id },
      data: { birthday: checked.birthday, birthdayChangedAt: now, birthdayLearnedAt: now },
    });
    return { ok: true as const, birthday: checked.birthday };
  });
}

export type BirthdayJobResult = { customers: number; points: number };

/**
 * The daily job: pays this year's birthday bonus to every member whose day has come, in every
 * shop with the bonus on (or only `shop`). Keyed per member and year, so runs twice or in
 * parallel pay once.
 */
export async function payBirthdayBonuses(shop: string | undefined, now: Date): Promise<BirthdayJobResult> {
  const programs = await db.programSettings.findMany({
    where: { birthdayBonusEnabled: true, birthdayBonusPoints: { gt: 0 }, ...(shop ? { shop } : {}) },
    select: { shop: true, birthdayBonusPoints: true },
  });
  const facts = new Map(
    (
      await db.shop.findMany({
        where: { domain: { in: programs.map((p) => p.shop) } },
        select: { domain: true, timezone: true, uninstalledAt: true },
      })
    ).map((s) => [s.domain, s]),
  );
  const total: BirthdayJobResult = { customers: 0, points: 0 };
  for (const { shop: each, birthdayBonusPoints } of programs) {
    const shopFacts = facts.get(each);
    if (shopFacts?.uninstalledAt) continue;
    const zone = shopFacts?.timezone ?? "UTC";
    const today = dayOf(now, zone);
    const year = Number(today.slice(0, 4));
    for (let afterId = 0; ;) {
      // Members with a birthday and no bonus for this year yet (the key's unique index answers that).
      const rows = await query<{ id: number; shopifyId: string; birthday: string; learnedAt: unknown }>(
        db,
        `SELECT c."id", c."shopifyId", c."birthday", COALESCE(c."birthdayLearnedAt", c."birthdayChangedAt") AS "learnedAt" FROM "Customer" c
         WHERE c."shop" = ? AND c."id" > ? AND c."birthday" IS NOT NULL AND c."redactedAt" IS NULL
           AND NOT EXISTS (SELECT 1 FROM "LedgerEntry" l WHERE l."shop" = c."shop"
             AND l."idempotencyKey" = 'customer:' || c."shopifyId" || ':birthday:' || ?)
         ORDER BY c."id" LIMIT ?`,
        [each, afterId, String(year), BATCH_SIZE],
      );
      if (rows.length === 0) break;
      afterId = Number(rows[rows.length - 1].id);
      const entries: NewLedgerEntry[] = rows.flatMap((r) => {
        // A birthday learned on or after this year's day (from the shopper or from Shopify) waits for next year.
        const setOn = r.learnedAt == null ? null : dayOf(toDate(r.learnedAt), zone);
        const due = birthdayYearDue(today, r.birthday, setOn);
        if (due === null) return [];
        return [
          {
            shop: each,
            customerId: Number(r.id),
            delta: birthdayBonusPoints,
            kind: "bonus" as const,
            reason: `Birthday bonus ${due}`,
            idempotencyKey: `customer:${r.shopifyId}:birthday:${due}`,
          },
        ];
      });
      const appended = entries.length ? await db.$transaction((tx) => appendEntries(tx, entries)) : [];
      total.customers += appended.length;
      total.points += appended.reduce((sum, e) => sum + e.delta, 0);
      if (rows.length < BATCH_SIZE) break;
    }
  }
  if (total.customers) log.info("birthday.bonuses_paid", { ...total });
  return total;
}

const lockClause = () => (dialect() === "postgres" ? " FOR UPDATE" : "");

function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "bigint" || typeof value === "number") return new Date(Number(value));
  return new Date(String(value));
}
