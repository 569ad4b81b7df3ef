// Birthdays against a real database (SQLite, or PostgreSQL with TEST_POSTGRES_URL): the date the
// shopper gives (or Shopify's facts.birth_date), the once-in-365-days change, and the daily job
// that pays the bonus once a year on or after the day, called here with an explicit `now`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { birthdayIn, birthdayYearDue, checkBirthday } from "../../app/loyalty/birthday";
import { payBirthdayBonuses, setBirthday } from "../../app/loyalty/birthdays.server";
import { onCustomerCreated, onCustomerUpdated } from "../../app/loyalty/membership.server";
import { DEFAULT_PROGRAM } from "../../app/loyalty/program";
import { TOPICS } from "../../app/webhooks/payloads";
import { useFreshDatabase } from "../support/database";

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(() => db.$disconnect());

const at = (iso: string) => new Date(iso);
let seq = 0;
async function newShop(
  timezone = "UTC",
  program: { birthdayBonusEnabled?: boolean; birthdayBonusPoints?: number } = {
    birthdayBonusEnabled: true,
    birthdayBonusPoints: 100,
  },
) {
  const shop = `birthday-${++seq}.myshopify.com`;
  await db.shop.create({ data: { domain: shop, timezone } });
  await db.programSettings.create({ data: { shop, ...program } });
  return shop;
}
const bonuses = (shop: string) =>
  db.ledgerEntry
    .findMany({ where: { shop, kind: "bonus" }, orderBy: { id: "asc" } })
    .then((rows) => rows.map((r) => `${r.delta} ${r.idempotencyKey}`));

describe("the birthday rule", () => {
  it("accepts MM-DD dates that exist, 29 February included, and says why others are refused", () => {
    const table = ["02-29", "12-31", "01-01", "02-30", "04-31", "13-01", "00-10", "1-05", "2026-01-05", "", 105, null].map(
      (v) => {
        const r = checkBirthday(v);
        return r.ok ? "ok" : r.reason;
      },
    );
    expect(table).toEqual([
      "ok",
      "ok",
      "ok",
      "Month 2 has no day 30.",
      "Month 4 has no day 31.",
      "There is no month 13: use 01 to 12.",
      "There is no month 0: use 01 to 12.",
      ...Array(5).fill("Give the birthday as MM-DD, for example 04-23."),
    ]);
  });

  it("falls on 28 February in years without a 29th", () => {
    expect([2026, 2027, 2028, 2100, 2400].map((y) => birthdayIn(y, "02-29"))).toEqual([
      "2026-02-28",
      "2027-02-28",
      "2028-02-29",
      "2100-02-28",
      "2400-02-29",
    ]);
  });

  it("is due on or after the day, and not in a year whose day came before the birthday was given", () => {
    const table = [
      ["2026-06-13", "06-14", null], // the day before
      ["2026-06-14", "06-14", null], // the day itself
      ["2026-12-31", "06-14", null], // any later day that year
      ["2026-06-14", "06-14", "2026-06-14"], // given on the day: next year
      ["2026-06-20", "06-14", "2026-06-15"], // given after the day: next year
      ["2026-06-14", "06-14", "2026-06-13"], // given the day before: this year
    ].map(([today, birthday, setOn]) => birthdayYearDue(today!, birthday!, setOn));
    expect(table).toEqual([null, 2026, 2026, null, null, 2026]);
  });
});

describe("setting a birthday", () => {
  it("stores MM-DD for the signed-in member; the same date again is no change; another within 365 days is refused with the day it may change", async () => {
    const shop = await newShop();
    expect(await setBirthday(shop, "501", "13-40", at("2026-01-10T00:00:00Z"))).toEqual({
      ok: false,
      error: "invalid_birthday",
      reason: "There is no month 13: use 01 to 12.",
    });
    expect(await setBirthday(shop, "501", "07-14", at("2026-01-10T00:00:00Z"))).toEqual({ ok: true, birthday: "07-14" });
    expect(await setBirthday(shop, "501", "07-14", at("2026-03-01T00:00:00Z"))).toEqual({ ok: true, birthday: "07-14" });
    expect(await setBirthday(shop, "501", "07-15", at("2027-01-09T23:59:59Z"))).toEqual({
      ok: false,
      error: "birthday_locked",
      birthday: "07-14",
      changeableOn: "2027-01-10",
    });
    expect(await setBirthday(shop, "501", "07-15", at("2027-01-10T00:00:00Z"))).toEqual({ ok: true, birthday: "07-15" });
    const c = await db.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId: "501" } } });
    expect([c.birthday, c.birthdayChangedAt?.toISOString()]).toEqual(["07-15", "2027-01-10T00:00:00.000Z"]);
  });

  it("takes Shopify's facts.birth_date from customers/create and update while none is stored, never over the shopper's own", async () => {
    const shop = await newShop();
    const payload = (id: number, birthDate?: unknown) =>
      TOPICS.CUSTOMERS_UPDATE.parse({
        id,
        email: null,
        ...(birthDate === undefined
          ? {}
          : { metafields: [{ namespace: "facts", key: "birth_date", value: birthDate, type: "date" }] }),
      });
    expect(payload(1, "1990-02-29").birthDate).toBe("1990-02-29");
    expect(TOPICS.CUSTOMERS_UPDATE.parse({ id: 1, metafields: "nonsense" }).birthDate).toBeNull(); // ignored, not a 400
    await db.$transaction((tx) => onCustomerCreated(tx, shop, DEFAULT_PROGRAM, payload(601, "1988-11-03")));
    await db.$transaction((tx) => onCustomerUpdated(tx, shop, payload(602)));
    await db.$transaction((tx) => onCustomerUpdated(tx, shop, payload(602, "1990-13-01"))); // not a date: ignored
    await setBirthday(shop, "603", "05-05");
    await db.$transaction((tx) => onCustomerUpdated(tx, shop, payload(603, "1970-01-01")));
    await db.$transaction((tx) => onCustomerUpdated(tx, shop, payload(601, "1999-01-02"))); // already has one
    const birthdays = await db.customer.findMany({
      where: { shop },
      orderBy: { shopifyId: "asc" },
      select: { shopifyId: true, birthday: true },
    });
    expect(birthdays).toEqual([
      { shopifyId: "601", birthday: "11-03" },
      { shopifyId: "602", birthday: null },
      { shopifyId: "603", birthday: "05-05" },
    ]);
  });
});

describe("the daily birthday job", () => {
  it("pays a 29 February birthday on 28 February in other years, on the 29th in leap years, once a year", async () => {
    const shop = await newShop();
    await setBirthday(shop, "701", "02-29", at("2026-01-01T00:00:00Z"));
    const run = (iso: string) => payBirthdayBonuses(shop, at(iso));
    expect(await run("2026-02-27T23:59:59Z")).toEqual({ customers: 0, points: 0 });
    expect(await run("2026-02-28T00:00:00Z")).toEqual({ customers: 1, points: 100 });
    expect(await run("2026-02-28T12:00:00Z")).toEqual({ customers: 0, points: 0 }); // twice the same day
    expect(await run("2026-03-10T00:00:00Z")).toEqual({ customers: 0, points: 0 }); // later that year
    expect(await run("2028-02-28T12:00:00Z")).toEqual({ customers: 0, points: 0 }); // leap year: not yet
    expect(await run("2028-02-29T00:00:00Z")).toEqual({ customers: 1, points: 100 });
    expect(await bonuses(shop)).toEqual(["100 customer:701:birthday:2026", "100 customer:701:birthday:2028"]);
  });

  it("does not pay at once the birthdays Shopify already knew when the app learned them after this year's day", async () => {
    const shop = await newShop();
    const learned = new Date(); // onCustomerCreated learns the facts.birth_date now
    const thisYear = learned.getUTCFullYear();
    const dayBefore = new Date(learned.getTime() - 86_400_000).toISOString().slice(5, 10);
    const payload = TOPICS.CUSTOMERS_CREATE.parse({
      id: 901,
      email: null,
      metafields: [{ namespace: "facts", key: "birth_date", value: `1990-${dayBefore}`, type: "date" }],
    });
    await db.$transaction((tx) => onCustomerCreated(tx, shop, DEFAULT_PROGRAM, payload));
    // Yesterday's birthday (a 1 January learned on 2 January, or any day before today): next year's.
    expect(await payBirthdayBonuses(shop, new Date(learned.getTime() + 86_400_000))).toEqual({ customers: 0, points: 0 });
    const nextYearsDay = new Date(`${thisYear + 1}-${dayBefore === "02-29" ? "02-28" : dayBefore}T12:00:00Z`);
    expect(await payBirthdayBonuses(shop, nextYearsDay)).toEqual({ customers: 1, points: 100 });
    expect(await bonuses(shop)).toEqual([`100 customer:901:birthday:${thisYear + 1}`]);
  });

  it("pays a missed day later in the year, not for a day already past when the birthday was given, and twice in parallel pays once", async () => {
    const shop = await newShop();
    await setBirthday(shop, "801", "03-10", at("2026-01-01T00:00:00Z"));
    await setBirthday(shop, "802", "03-10", at("2026-03-20T00:00:00Z")); // after this year's day
    const now = at("2026-04-01T00:00:00Z"); // the job did not run in March
    const results = await Promise.all([payBirthdayBonuses(shop, now), payBirthdayBonuses(shop, now)]);
    expect(results.reduce((sum, r) => sum + r.customers, 0)).toBe(1);
    expect(await bonuses(shop)).toEqual(["100 customer:801:birthday:2026"]);
    await payBirthdayBonuses(shop, at("2027-03-10T00:00:00Z"));
    expect(await bonuses(shop)).toEqual([
      "100 customer:801:birthday:2026",
      "100 customer:801:birthday:2027",
      "100 customer:802:birthday:2027",
    ]);
    const balance = await db.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId: "801" } } });
    expect(balance.pointsBalance).toBe(200);
  });

  it("counts the day in the shop's time zone, pays nothing with the bonus off, and uses the points set when it pays", async () => {
    const la = await newShop("America/Los_Angeles");
    await setBirthday(la, "901", "06-14", at("2026-01-01T00:00:00Z"));
    expect((await payBirthdayBonuses(la, at("2026-06-14T06:59:59Z"))).customers).toBe(0); // 23:59 on the 13th in LA
    await db.programSettings.update({ where: { shop: la }, data: { birthdayBonusPoints: 250 } });
    expect(await payBirthdayBonuses(la, at("2026-06-14T07:00:00Z"))).toEqual({ customers: 1, points: 250 });

    const off = await newShop("UTC", { birthdayBonusEnabled: false });
    await setBirthday(off, "902", "06-14", at("2026-01-01T00:00:00Z"));
    expect((await payBirthdayBonuses(off, at("2026-06-20T00:00:00Z"))).customers).toBe(0);
    expect(await bonuses(off)).toEqual([]);
  });
});
