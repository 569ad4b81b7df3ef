// The loyalty rules that run by the calendar rather than by an event: birthday bonuses, tiers
// recomputed as the rolling window moves, and expiry reminders. Each is idempotent per day (keyed
// rows, locked members), so running them every hour, twice, or from several processes changes
// nothing beyond the first run of the day.
import { log } from "../log.server";
import { payBirthdayBonuses } from "./birthdays.server";
import { markExpiryReminders } from "./expiry-reminders.server";
import { recomputeTiers } from "./tiers.server";

export async function runDailyRules(now: Date, shop?: string) {
  const jobs = { birthdays: payBirthdayBonuses, tiers: recomputeTiers, expiryReminders: markExpiryReminders };
  for (const [name, job] of Object.entries(jobs)) {
    // One job failing (a database hiccup) does not stop the others; the next run retries it.
    await job(shop, now).catch((error: unknown) => log.error("loyalty.daily_failed", { job: name, error: String(error) }));
  }
}
