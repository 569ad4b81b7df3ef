// upsertCustomers on a real database: a profile that repeats what is stored writes nothing (the
// row keeps its updatedAt), one that says something new is written, and every customer's id comes
// back either way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, type Tx } from "../../app/db.server";
import { saveCustomers, upsertCustomers } from "../../app/loyalty/membership.server";
import { useFreshDatabase } from "../support/database";

const SHOP = "customer-upsert.myshopify.com";
const tx = db as unknown as Tx;
const profile = (shopifyId: string, email: string | null, firstName: string | null = "Ada") => ({
  shopifyId,
  email,
  firstName,
  lastName: "Lovelace",
});
const stored = (shopifyId: string) => db.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop: SHOP, shopifyId } } });

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(() => db.$disconnect());

describe("upsertCustomers", () => {
  it("returns every id, leaves an unchanged profile unwritten and writes a changed one", async () => {
    const first = await upsertCustomers(tx, SHOP, [profile("1", "a@example.com"), profile("2", "b@example.com")]);
    const before = { one: await stored("1"), two: await stored("2") };
    expect(first).toEqual(
      new Map([
        ["1", before.one.id],
        ["2", before.two.id],
      ]),
    );
    await new Promise((resolve) => setTimeout(resolve, 5)); // so a rewrite would show in updatedAt

    // "1" repeats itself (a blank first name never overwrites), "2" has a new email, "3" is new.
    const again = await upsertCustomers(tx, SHOP, [
      profile("1", "a@example.com", null),
      profile("2", "b2@example.com"),
      profile("3", null),
    ]);
    const after = { one: await stored("1"), two: await stored("2"), three: await stored("3") };
    expect(again).toEqual(
      new Map([
        ["1", before.one.id],
        ["2", before.two.id],
        ["3", after.three.id],
      ]),
    );
    expect(after.one.updatedAt).toEqual(before.one.updatedAt);
    expect(after.one.firstName).toBe("Ada");
    expect(after.two.email).toBe("b2@example.com");
    expect(after.two.updatedAt.getTime()).toBeGreaterThan(before.two.updatedAt.getTime());
    expect(after.two.enrolledAt).toEqual(before.two.enrolledAt);
  });

  it("saveCustomers writes the same way and returns only the ids of what it wrote", async () => {
    const written = await saveCustomers(tx, SHOP, [profile("1", "a@example.com"), profile("5", "e@example.com")]);
    expect(written).toEqual(new Map([["5", (await stored("5")).id]]));
  });

  it("fills an enrolment time the row lacks, even when the profile is the same", async () => {
    await upsertCustomers(tx, SHOP, [profile("4", "d@example.com")]);
    await db.customer.update({ where: { shop_shopifyId: { shop: SHOP, shopifyId: "4" } }, data: { enrolledAt: null } });
    await upsertCustomers(tx, SHOP, [profile("4", "d@example.com")]);
    expect((await stored("4")).enrolledAt).not.toBeNull();
  });
});
