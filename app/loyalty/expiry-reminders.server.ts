// Expiry reminders (docs/loyalty-rules.md): when expiry is on, a member's points are "expiring"
// from `expiryReminderDays` before the day they expire (expiry.server.ts decides that day). The
// widget and the customer page show it; a daily job marks each reminder due once, as an
// ExpiryReminder row per member and expiry day (unique), for whatever sends the reminder.
// A new order moves the expiry day on, so the next period gets a reminder of its own.
import { db, type Db, type Tx } from "../db.server";
import { dayOf, startOfDay, addDays, type Day } from "../analytics/time";
import { query, valuesList } from "../db/sql.server";
import { log } from "../log.server";
import { expiresOn, expiryCutoff, inactiveMembers } from "./expiry.server";
import { recordExpiryReminders } from "./flow-events.server";
import type { Program } from "./program";

const DAY_MS = 24 * 3600 * 1000;
const BATCH_SIZE = 500;

export type Expiring = { points: number; on: Day };

/** The cutoff before which a last activity's points expire within the reminder window from `now`. */
const reminderCutoff = (now: Date, program: Pick<Program, "expiryMonths" | "expiryReminderDays">, zone: string) =>
  expiryCutoff(new Date(now.getTime() + program.expiryReminderDays * DAY_MS), program.expiryMonths, zone);

/** A member's points that expire within the reminder window, and the day; null when none do. */
export async function expiringPoints(
  tx: Tx | Db,
  shop: string,
  program: Program,
  customer: { id: number; pointsBalance: number },
  zone: string,
  now = new Date(),
): Promise<Expiring | null> {
  if (!program.expiryEnabled || customer.pointsBalance <= 0) return null;
  const [member] = await inactiveMembers(tx, shop, reminderCutoff(now, program, zone), { ids: [customer.id] });
  if (!member) return null;
  return { points: customer.pointsBalance, on: expiresOn(dayOf(member.lastActivity, zone), program.expiryMonths) };
}

export type ReminderResult = { reminders: number };

/**
 * The daily job: marks a reminder due for every member whose points expire within the reminder
 * window, in every shop with expiry on (or only `shop`). Once per member and expiry day.
 */
export async function markExpiryReminders(shop: string | undefined, now: Date): Promise<ReminderResult> {
  const programs = await db.programSettings.findMany({
    where: { expiryEnabled: true, ...(shop ? { shop } : {}) },
    select: { shop: true, expiryMonths: true, expiryReminderDays: true },
  });
  const facts = new Map(
    (
      await db.shop.findMany({
        where: { domain: { in: programs.map((p) => p.shop) } },
        select: { domain: true, timezone: true, uninstalledAt: true },
      })
    ).map((s) => [s.domain, s]),
  );
  let reminders = 0;
  for (const program of programs) {
    const shopFacts = facts.get(program.shop);
    if (shopFacts?.uninstalledAt) continue;
    const zone = shopFacts?.timezone ?? "UTC";
    const today = dayOf(now, zone);
    const cutoff = reminderCutoff(now, program, zone);
    for (let afterId = 0; ;) {
      const members = await inactiveMembers(db, program.shop, cutoff, { afterId, limit: BATCH_SIZE });
      if (members.length === 0) break;
      afterId = members[members.length - 1].id;
      const balances = new Map(
        (
          await db.customer.findMany({
            where: { id: { in: members.map((m) => m.id) } },
            select: { id: true, pointsBalance: true },
          })
        ).map((c) => [c.id, c.pointsBalance]),
      );
      const rows = members
        .map((m) => ({ m, on: expiresOn(dayOf(m.lastActivity, zone), program.expiryMonths) }))
        .filter(({ on }) => on > today) // expiring today or before: the expiry sweep takes them, no reminder
        .map(({ m, on }) => ({
          shop: program.shop,
          customerId: m.id,
          expiresOn: on,
          points: balances.get(m.id) ?? 0,
          dueAt: startOfDay(addDays(on, -program.expiryReminderDays), zone),
        }));
      if (rows.length) {
        // With the reminder, in its transaction: the points-expiring Flow trigger (ADR 0032).
        const inserted = await db.$transaction(async (tx) => {
          const due = await query<{ customerId: number; expiresOn: string; points: number }>(
            tx,
            `INSERT INTO "ExpiryReminder" ("shop", "customerId", "expiresOn", "points", "dueAt", "createdAt")
             VALUES ${valuesList(rows.length, 6)}
             ON CONFLICT ("customerId", "expiresOn") DO NOTHING RETURNING "customerId", "expiresOn", "points"`,
            rows.flatMap((r) => [r.shop, r.customerId, r.expiresOn, r.points, r.dueAt, now]),
          );
          await recordExpiryReminders(tx, program.shop, due);
          return due;
        });
        reminders += inserted.length;
      }
      if (members.length < BATCH_SIZE) break;
    }
  }
  if (reminders) log.info("points.expiry_reminders_due", { reminders });
  return { reminders };
}
