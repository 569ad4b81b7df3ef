// The admin's customer list, member page data, manual adjustments and CSV exports, on a real
// database (SQLite, or PostgreSQL when TEST_POSTGRES_URL is set), through the real modules.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { attachment, csvDocument, csvField, csvRow, csvStream } from "../../app/csv";
import { atRiskCustomers, segmentSummaries } from "../../app/analytics/customer-value.server";
import { currentCustomerValues } from "../../app/analytics/report.server";
import { SEGMENTS } from "../../app/analytics/rfm";
import { appendEntry } from "../../app/loyalty/ledger.server";
import { AdjustmentError, adjustPoints, parseAdjustment, staffActor } from "../../app/loyalty/adjustments.server";
import { historyPages, memberDetail, pointsHistory } from "../../app/loyalty/customer-profile.server";
import {
  memberList,
  MEMBER_CSV_HEADER,
  memberCsvRow,
  parseMemberFilter,
  REDACTED_NAME,
  type MemberFilter,
  type MemberRow,
} from "../../app/loyalty/customer-list.server";
import { useFreshDatabase } from "../support/database";
import { pointsOf } from "../support/ledger";
import { simulateCohort } from "../analytics/simulate";
import { parseCsv } from "../support/csv";
import { waitFor } from "../support/wait";

const SHOP = "members-shop.myshopify.com";
const OTHER = "other-shop.myshopify.com";
const DAY = 86_400_000;
const now = Date.now();

const filter = (f: Partial<MemberFilter> = {}): MemberFilter => ({ q: "", segment: null, atRisk: false, ...f });

/** The bytes as UTF-8, keeping a byte order mark (Response.text() would drop it). */
async function readStream(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await new Response(stream).arrayBuffer());
}

type Seeded = { id: number; shopifyId: string };
const people: Record<string, Seeded> = {};

async function customer(
  shop: string,
  key: string,
  data: { shopifyId: string; firstName?: string | null; lastName?: string | null; email?: string | null; redactedAt?: Date },
) {
  const row = await db.customer.create({ data: { shop, ...data } });
  people[key] = { id: row.id, shopifyId: row.shopifyId };
  return row;
}

let orderSeq = 0;
async function order(
  shop: string,
  customerId: number,
  daysAgo: number,
  cents: number,
  extra: { test?: boolean; cancelled?: boolean; refundedCents?: number; name?: string } = {},
) {
  return db.order.create({
    data: {
      shop,
      shopifyId: `o${++orderSeq}`,
      name: extra.name ?? `#${1000 + orderSeq}`,
      customerId,
      currency: "USD",
      processedAt: new Date(now - daysAgo * DAY),
      subtotalCents: cents,
      totalCents: cents + 500,
      test: extra.test ?? false,
      cancelledAt: extra.cancelled ? new Date(now - daysAgo * DAY + 3_600_000) : null,
      refundedSubtotalCents: extra.refundedCents ?? 0,
    },
  });
}

async function points(
  shop: string,
  customerId: number,
  delta: number,
  kind: "earn" | "refund" | "cancel" | "adjust" | "redeem",
  key: string,
  orderId?: number,
  shortfall = 0,
) {
  await db.$transaction((tx) =>
    appendEntry(tx, { shop, customerId, delta, kind, reason: `${kind} ${key}`, idempotencyKey: key, orderId, shortfall }),
  );
}

beforeAll(async () => {
  await useFreshDatabase();
  await db.shop.create({ data: { domain: SHOP, name: "Members", currency: "USD", timezone: "UTC" } });
  await db.programSettings.create({ data: { shop: SHOP } });
  // Five customers with orders, chosen so two RFM segments can be worked out by hand (n = 5):
  // Ava: most recent, most orders, most money → R5 F5 M5 → champions.
  // Eve: oldest, one small order → R1, F1 (ties with the other one-order customers), M1 → lost.
  await customer(SHOP, "ava", { shopifyId: "101", firstName: "Ava", lastName: "Stone", email: "ava@example.com" });
  await customer(SHOP, "ben", { shopifyId: "102", firstName: "Ben", lastName: "O'Hara, Jr.", email: "ben+vip@example.com" });
  await customer(SHOP, "cat", {
    shopifyId: "103",
    firstName: '=HYPERLINK("http://evil")',
    lastName: null,
    email: "@cat@example.com",
  });
  await customer(SHOP, "dan", { shopifyId: "104", firstName: null, lastName: null, email: null, redactedAt: new Date() });
  await customer(SHOP, "eve", { shopifyId: "105", firstName: "Eve", lastName: "100%_sure", email: "eve@example.com" });
  await customer(SHOP, "fay", { shopifyId: "106", firstName: "Fay", lastName: "Testorder", email: "fay@example.com" });
  await customer(SHOP, "gus", { shopifyId: "107", firstName: "Gus", lastName: "Nobuy", email: "gus@example.com" });
  await customer(OTHER, "otherAva", { shopifyId: "901", firstName: "Ava", lastName: "Elsewhere", email: "ava@example.com" });

  const ava1 = await order(SHOP, people.ava.id, 2, 20000, { name: "#A1" });
  await order(SHOP, people.ava.id, 30, 15000);
  await order(SHOP, people.ava.id, 60, 10000);
  const ava4 = await order(SHOP, people.ava.id, 5, 5000, { refundedCents: 2500, name: "#A4" });
  const ava5 = await order(SHOP, people.ava.id, 4, 3000, { cancelled: true, name: "#A5" });
  await order(SHOP, people.ava.id, 1, 9999, { test: true });
  await order(SHOP, people.ben.id, 40, 8000);
  await order(SHOP, people.ben.id, 90, 7000);
  await order(SHOP, people.cat.id, 120, 4000);
  await order(SHOP, people.dan.id, 200, 3000);
  await order(SHOP, people.eve.id, 400, 1000);
  await order(SHOP, people.fay.id, 3, 50000, { test: true });
  await order(OTHER, people.otherAva.id, 1, 99999);

  // Ava's points: 200 + 50 earned, 25 taken back by a refund, 30 earned then cancelled (5 short: floor).
  await points(SHOP, people.ava.id, 200, "earn", "order:A1:earn", ava1.id);
  await points(SHOP, people.ava.id, 50, "earn", "order:A4:earn", ava4.id);
  await points(SHOP, people.ava.id, -25, "refund", "refund:A4:clawback", ava4.id);
  await points(SHOP, people.ava.id, 30, "earn", "order:A5:earn", ava5.id);
  await points(SHOP, people.ava.id, -25, "cancel", "order:A5:cancel", ava5.id, 5);
  await points(SHOP, people.ben.id, 100, "earn", "ben:welcome");
  await points(OTHER, people.otherAva.id, 999, "earn", "other:earn");

  // A second shop big enough to fit the purchase model (the "at risk" filter needs it).
  const cohort = simulateCohort(11, 300, { r: 0.6, alpha: 6, a: 0.7, b: 3 }, { p: 6, q: 4, v: 15 }, 1, 104);
  const saved = await db.customer.createManyAndReturn({
    data: cohort.map((_, i) => ({ shop: BIG, shopifyId: `b${i}`, firstName: "Big", lastName: `Customer${i}` })),
    select: { id: true },
  });
  const week = 7 * DAY;
  await db.order.createMany({
    data: cohort.flatMap((c, i) =>
      Array.from({ length: c.x + 1 }, (_, n) => ({
        shop: BIG,
        shopifyId: `big${i}-${n}`,
        customerId: saved[i].id,
        currency: "USD",
        processedAt: new Date(now - c.T * week + (c.x > 0 ? (c.t_x * week * n) / c.x : 0)),
        subtotalCents: Math.max(500, Math.round((c.x > 0 ? c.zbar : 28) * 100)),
        totalCents: 3000,
      })),
    ),
  });
}, 120_000);
afterAll(() => db.$disconnect());

const BIG = "big-shop.myshopify.com";

async function allRows(shop: string, f: MemberFilter, limit = 2): Promise<MemberRow[]> {
  const list = memberList(shop, f);
  const rows: MemberRow[] = [];
  let after: number | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await list.page({ after, limit });
    rows.push(...page.rows);
    if (page.nextCursor === null) return rows;
    after = page.nextCursor;
  }
  throw new Error("pagination did not end");
}

describe("the customer list", () => {
  it("lists every customer of the shop, newest first, with counted orders, spend and last order", async () => {
    const rows = await allRows(SHOP, filter());
    expect(rows.map((r) => r.shopifyId)).toEqual(["107", "106", "105", "104", "103", "102", "101"]); // never shop B's 901
    const ava = rows.find((r) => r.shopifyId === "101")!;
    // Counted: not test, not cancelled → #A1 200.00, 150.00, 100.00, #A4 50.00 − 25.00 refunded = 475.00 over 4 orders.
    expect(ava).toMatchObject({
      name: "Ava Stone",
      email: "ava@example.com",
      points: 230,
      orders: 4,
      spentCents: 47500,
      redacted: false,
    });
    expect(new Date(ava.lastOrderAt!).getTime()).toBeCloseTo(now - 2 * DAY, -3);
    expect(rows.find((r) => r.shopifyId === "106")).toMatchObject({ orders: 0, spentCents: 0, lastOrderAt: null, segment: null });
    expect(rows.find((r) => r.shopifyId === "104")).toMatchObject({ name: REDACTED_NAME, email: null, redacted: true });
    expect(await memberList(SHOP, filter()).total()).toBe(7);
  });

  it("pages with a cursor both ways, without gaps or repeats", async () => {
    const list = memberList(SHOP, filter());
    const first = await list.page({ limit: 3 });
    expect(first.rows.map((r) => r.shopifyId)).toEqual(["107", "106", "105"]);
    expect(first.previousCursor).toBeNull();
    const second = await list.page({ after: first.nextCursor, limit: 3 });
    expect(second.rows.map((r) => r.shopifyId)).toEqual(["104", "103", "102"]);
    const third = await list.page({ after: second.nextCursor, limit: 3 });
    expect(third.rows.map((r) => r.shopifyId)).toEqual(["101"]);
    expect(third.nextCursor).toBeNull();
    const back = await list.page({ before: third.previousCursor, limit: 3 });
    expect(back.rows.map((r) => r.shopifyId)).toEqual(["104", "103", "102"]);
    const backAgain = await list.page({ before: back.previousCursor, limit: 3 });
    expect(backAgain.rows.map((r) => r.shopifyId)).toEqual(["107", "106", "105"]);
    expect(backAgain.previousCursor).toBeNull();
  });

  it("searches name, email and Shopify id, case-insensitively, in this shop only", async () => {
    const ids = async (q: string) => (await allRows(SHOP, filter({ q }), 50)).map((r) => r.shopifyId);
    expect(await ids("stone")).toEqual(["101"]);
    expect(await ids("AVA")).toEqual(["101"]); // shop B's Ava Elsewhere is not here
    expect(await ids("ava st")).toEqual(["101"]); // first and last name together
    expect(await ids("ben+vip@")).toEqual(["102"]);
    expect(await ids("o'hara, jr")).toEqual(["102"]);
    expect(await ids("103")).toEqual(["103"]);
    expect(await ids("gid://shopify/Customer/105")).toEqual(["105"]);
    expect(await ids("901")).toEqual([]);
    // LIKE wildcards are literal: "%" and "_" match only themselves.
    expect(await ids("100%_")).toEqual(["105"]);
    expect(await ids("%")).toEqual(["105"]);
    expect(await ids("a_a")).toEqual([]);
    expect(await memberList(SHOP, filter({ q: "example.com" })).total()).toBe(6); // Dan's email was erased
  });

  it("filters by RFM segment, the same segments the dashboard counts", async () => {
    const values = await currentCustomerValues(SHOP, { fresh: true });
    const summaries = segmentSummaries(values);
    // By hand (n = 5 customers with counted orders): Ava is a champion, Eve is lost.
    expect((await allRows(SHOP, filter({ segment: "champions" }))).map((r) => r.shopifyId)).toContain("101");
    expect((await allRows(SHOP, filter({ segment: "lost" }))).map((r) => r.shopifyId)).toContain("105");
    const seen = new Set<string>();
    for (const segment of SEGMENTS) {
      const rows = await allRows(SHOP, filter({ segment }));
      for (const row of rows) {
        expect(row.segment).toBe(segment);
        seen.add(row.shopifyId);
      }
      expect(rows.length, segment).toBe(summaries.find((s) => s.key === segment)!.customers);
      expect(await memberList(SHOP, filter({ segment })).total()).toBe(rows.length);
    }
    // Every customer with a counted order is in exactly one segment; Fay (test orders only) and Gus are in none.
    expect([...seen].sort()).toEqual(["101", "102", "103", "104", "105"]);
    // Segment and search together.
    expect((await allRows(SHOP, filter({ segment: "champions", q: "nobody" }))).length).toBe(0);
    expect((await allRows(SHOP, filter({ segment: "champions", q: "stone" }))).map((r) => r.shopifyId)).toEqual(["101"]);
  });

  it("filters customers at risk of lapsing: the dashboard's at-risk list, every page", async () => {
    const values = await currentCustomerValues(BIG, { fresh: true });
    expect(values.model).toBe("bgnbd-gamma-gamma");
    const expected = await atRiskCustomers(db, values, { limit: 1_000_000 });
    expect(expected.total).toBeGreaterThan(3);
    const rows = await allRows(BIG, filter({ atRisk: true }), 7);
    expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual(
      expected.customers.map((c) => c.customerId).sort((a, b) => a - b),
    );
    for (const row of rows) expect(row.orders).toBeGreaterThan(1);
    // At risk and a segment: the intersection.
    const atRiskLost = await allRows(BIG, filter({ atRisk: true, segment: "lost" }), 50);
    expect(atRiskLost.every((r) => r.segment === "lost" && rows.some((x) => x.id === r.id))).toBe(true);
    expect(await memberList(SHOP, filter({ atRisk: true })).total()).toBe(0); // too few repeat customers to fit a model
  });

  it("reads filters from the query string and ignores unknown segments", () => {
    expect(parseMemberFilter(new URLSearchParams("q=%20ava%20&segment=champions&atRisk=1"))).toEqual({
      q: "ava",
      segment: "champions",
      atRisk: true,
    });
    expect(parseMemberFilter(new URLSearchParams("segment=vip&atRisk=0"))).toEqual({ q: "", segment: null, atRisk: false });
  });
});

describe("a member", () => {
  it("shows the orders we hold with the points each earned and lost, and checks the balance against the ledger", async () => {
    const m = (await memberDetail(SHOP, "101"))!;
    expect(m.name).toBe("Ava Stone");
    expect(m.balance).toEqual({ cached: 230, ledger: 230, consistent: true });
    expect(m.orders.total).toBe(6); // test and cancelled orders are shown too, labelled
    const byName = new Map(m.orders.shown.map((o) => [o.name, o]));
    expect(byName.get("#A1")).toMatchObject({ pointsEarned: 200, pointsTakenBack: 0 });
    expect(byName.get("#A4")).toMatchObject({ pointsEarned: 50, pointsTakenBack: -25, refundedSubtotalCents: 2500 });
    expect(byName.get("#A5")).toMatchObject({ pointsEarned: 30, pointsTakenBack: -25, shortfall: 5 });
    expect(byName.get("#A5")!.cancelledAt).not.toBeNull();
    expect(m.stats).toEqual({ orders: 4, spentCents: 47500 });
    expect(m.segment).toBe("champions");
  });

  it("is not found in another shop, and a redacted customer is shown without personal data", async () => {
    expect(await memberDetail(SHOP, "901")).toBeNull();
    expect(await memberDetail(OTHER, "101")).toBeNull();
    const dan = (await memberDetail(SHOP, "104"))!;
    expect(dan).toMatchObject({ name: REDACTED_NAME, email: null, redacted: true });
  });

  it("flags a cached balance that differs from the ledger", async () => {
    await db.customer.update({ where: { id: people.ben.id }, data: { pointsBalance: 90 } });
    try {
      expect((await memberDetail(SHOP, "102"))!.balance).toEqual({ cached: 90, ledger: 100, consistent: false });
    } finally {
      await db.customer.update({ where: { id: people.ben.id }, data: { pointsBalance: 100 } });
    }
  });

  it("pages the full points history newest first with the balance after each row", async () => {
    const first = await pointsHistory(SHOP, people.ava.id, { limit: 2 });
    expect(first.entries.map((e) => [e.delta, e.balanceAfter])).toEqual([
      [-25, 230],
      [30, 255],
    ]);
    expect(first.entries[0]).toMatchObject({ kind: "cancel", orderName: "#A5", shortfall: 5 });
    const second = await pointsHistory(SHOP, people.ava.id, { after: first.nextCursor, limit: 2 });
    expect(second.entries.map((e) => [e.delta, e.balanceAfter])).toEqual([
      [-25, 225],
      [50, 250],
    ]);
    const third = await pointsHistory(SHOP, people.ava.id, { after: second.nextCursor, limit: 2 });
    expect(third.entries.map((e) => [e.delta, e.balanceAfter])).toEqual([[200, 200]]);
    expect(third.nextCursor).toBeNull();
    const back = await pointsHistory(SHOP, people.ava.id, { before: third.previousCursor, limit: 2 });
    expect(back.entries.map((e) => e.id)).toEqual(second.entries.map((e) => e.id));
    const all: number[] = [];
    for await (const page of historyPages(SHOP, people.ava.id, 2)) all.push(...page.map((e) => e.delta));
    expect(all).toEqual([-25, 30, -25, 50, 200]);
    // Another shop's ledger is never read, even with our customer id.
    expect((await pointsHistory(OTHER, people.ava.id)).entries).toEqual([]);
  });
});

describe("adjusting points", () => {
  const nonce = (label: string) => `${label}-${Math.random().toString(36).slice(2, 12)}`;
  const adjust = (shopifyId: string, delta: number, n: string, reason = "Goodwill", actor: string | null = "Owner Test") =>
    adjustPoints(SHOP, shopifyId, { delta, reason, nonce: n }, actor);

  it("appends an adjust row with the reason and the staff user, once per form nonce", async () => {
    const n = nonce("add");
    expect(await adjust("102", 50, n, "Late delivery")).toEqual({ applied: true, balance: 150, delta: 50 });
    expect(await adjust("102", 50, n, "Late delivery")).toEqual({ applied: false, balance: 150, delta: 50 });
    expect(await pointsOf("102", SHOP)).toBe(150);
    const rows = await db.ledgerEntry.findMany({ where: { customerId: people.ben.id, kind: "adjust" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ delta: 50, reason: "Late delivery", actor: "Owner Test", shop: SHOP });
  });

  it("adjusts once when the same form is posted twice at the same moment", async () => {
    const n = nonce("race");
    const results = await Promise.all([adjust("102", 10, n), adjust("102", 10, n), adjust("102", 10, n)]);
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect(await pointsOf("102", SHOP)).toBe(160);
  });

  it("never takes the balance below zero unless the program allows it", async () => {
    await expect(adjust("102", -161, nonce("too-much"))).rejects.toThrow(/balance is 160 points.*below zero/);
    await expect(adjust("102", -161, nonce("too-much"))).rejects.toBeInstanceOf(AdjustmentError);
    expect(await pointsOf("102", SHOP)).toBe(160);
    // Two removals of 100 at once: the row lock lets one through, the other sees 60 left.
    const settled = await Promise.allSettled([adjust("102", -100, nonce("a")), adjust("102", -100, nonce("b"))]);
    expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(1);
    expect(await pointsOf("102", SHOP)).toBe(60);
    expect(await adjust("102", -60, nonce("to-zero"))).toMatchObject({ applied: true, balance: 0 });
    await db.programSettings.update({ where: { shop: SHOP }, data: { allowNegativeBalance: true } });
    try {
      expect(await adjust("102", -15, nonce("negative"))).toMatchObject({ applied: true, balance: -15 });
      expect(await pointsOf("102", SHOP)).toBe(-15);
    } finally {
      await db.programSettings.update({ where: { shop: SHOP }, data: { allowNegativeBalance: false } });
    }
    expect(await adjust("102", 115, nonce("back"))).toMatchObject({ balance: 100 });
  });

  it("refuses another shop's customer and a redacted customer", async () => {
    await expect(adjustPoints(SHOP, "901", { delta: 5, reason: "x", nonce: nonce("x") }, null)).rejects.toThrow(
      /no customer 901/,
    );
    await expect(adjust("104", 5, nonce("redacted"))).rejects.toThrow(/erased/);
    expect(await pointsOf("901", OTHER)).toBe(999);
  });

  it("validates the form: whole non-zero points, a reason, a nonce", () => {
    const ok = { delta: "+25", reason: "  Birthday   treat ", nonce: "abcdef123456" };
    expect(parseAdjustment(ok)).toEqual({ delta: 25, reason: "Birthday treat", nonce: "abcdef123456" });
    expect(parseAdjustment({ ...ok, delta: "-40" }).delta).toBe(-40);
    const field = (form: Record<string, unknown>) => {
      try {
        parseAdjustment(form);
        return "accepted";
      } catch (error) {
        return (error as AdjustmentError).field;
      }
    };
    for (const delta of ["", "abc", "1.5", "0", "-0", "1e3", "2000000"]) expect(field({ ...ok, delta }), delta).toBe("delta");
    expect(field({ ...ok, reason: "   " })).toBe("reason");
    expect(field({ ...ok, reason: "x".repeat(201) })).toBe("reason");
    expect(field({ ...ok, nonce: "" })).toBe("nonce");
    expect(field({ ...ok, nonce: "bad nonce!" })).toBe("nonce");
  });

  it("names the staff user from their stored session, else by id", async () => {
    await db.session.create({
      data: {
        id: "s1",
        shop: SHOP,
        state: "",
        isOnline: true,
        accessToken: "t",
        userId: BigInt(77),
        firstName: "Rita",
        lastName: "Owner",
        email: "rita@example.com",
      },
    });
    expect(await staffActor(SHOP, "77")).toBe("Rita Owner <rita@example.com>");
    expect(await staffActor(OTHER, "77")).toBe("Staff user 77");
    expect(await staffActor(SHOP, undefined)).toBeNull();
  });
});

describe("CSV", () => {
  it("quotes per RFC 4180 and defuses formulas in text, not numbers", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("=1+2")).toBe("'=1+2");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-1")).toBe("'-1");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\t=cmd")).toBe("'\t=cmd");
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField(-25)).toBe("-25");
    expect(csvField(null)).toBe("");
    expect(csvField(new Date("2026-01-02T03:04:05Z"))).toBe("2026-01-02T03:04:05.000Z");
    expect(csvRow(["a", 1, null])).toBe("a,1,\r\n");
    expect(
      parseCsv(
        csvDocument(
          ["h1", "h2"],
          [
            ["x,y", 'q"'],
            ["=1", -3],
          ],
        ),
      ),
    ).toEqual([
      ["h1", "h2"],
      ["x,y", 'q"'],
      ["'=1", "-3"],
    ]);
  });

  it("names the download, non-ASCII included", () => {
    expect(attachment("customers.csv")).toBe(`attachment; filename="customers.csv"; filename*=UTF-8''customers.csv`);
    expect(attachment('Ünïcode "x".csv')).toMatch(
      /^attachment; filename="_n_code _x_.csv"; filename\*=UTF-8''%C3%9Cn%C3%AFcode%20%22x%22.csv$/,
    );
  });

  it("streams the filtered list page by page, and the rows are the list's rows", async () => {
    let pulled = 0;
    const list = memberList(SHOP, filter({ q: "example.com" }));
    async function* pages() {
      for await (const page of list.pages(2)) {
        pulled++;
        yield page.map((r) => memberCsvRow(r, "USD", (s) => s));
      }
    }
    const text = await readStream(csvStream(MEMBER_CSV_HEADER, pages()));
    expect(text.startsWith("\uFEFF")).toBe(true);
    const rows = parseCsv(text.slice(1));
    expect(rows[0]).toEqual([...MEMBER_CSV_HEADER]);
    expect(pulled).toBe(3); // six rows, two at a time
    const listed = await allRows(SHOP, filter({ q: "example.com" }));
    expect(rows.slice(1).map((r) => r[0])).toEqual(listed.map((r) => r.shopifyId));
    const cat = rows.find((r) => r[0] === "103")!;
    expect(cat[1]).toBe('\'=HYPERLINK("http://evil")'); // shown as text in a spreadsheet
    expect(cat[2]).toBe("'@cat@example.com");
    const ben = rows.find((r) => r[0] === "102")!;
    expect(ben.slice(1, 8)).toEqual(["Ben O'Hara, Jr.", "ben+vip@example.com", "100", "", "2", "150.00", "USD"]);
  });

  it("stops reading pages when the download is cancelled", async () => {
    let pulled = 0;
    let closed = false;
    async function* pages() {
      try {
        for (;;) {
          pulled++;
          yield [["x"]];
        }
      } finally {
        closed = true;
      }
    }
    const reader = csvStream(["h"], pages()).getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    const after = pulled;
    // Once the pages are closed (the download's cancel reached them) no page can be read again.
    await waitFor(() => closed, { what: "the cancelled download to close its pages" });
    expect(pulled).toBe(after);
    expect(pulled).toBeLessThan(5);
  });
});
