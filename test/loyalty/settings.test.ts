// The owner's program setup without the HTTP server: settings and rewards validated and stored in
// a real database, read back by the same code the rules use (loadProgram, activeRewards).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { loadProgram } from "../../app/loyalty/program.server";
import { InvalidInput } from "../../app/loyalty/form-input";
import { combinesWith, DEFAULT_PROGRAM, type Program } from "../../app/loyalty/program";
import {
  activeRewards,
  addSuggestedRewards,
  createReward,
  listRewards,
  parseReward,
  removeReward,
  setRewardActive,
  suggestedRewards,
  updateReward,
} from "../../app/loyalty/rewards.server";
import { parseSettings, patchSettings, saveSettings } from "../../app/loyalty/settings.server";
import { useFreshDatabase } from "../support/database";
import { memberWithPoints } from "../support/proxy";
import { SHOP } from "../support/shopify";

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(() => db.$disconnect());

let shopNo = 0;
const newShop = () => `settings-${++shopNo}-${Date.now()}.myshopify.com`;

/** The field errors of an input that must not validate. */
function errorsOf(parse: () => unknown): Record<string, string> {
  try {
    parse();
  } catch (error) {
    if (error instanceof InvalidInput) return error.fieldErrors;
    throw error;
  }
  throw new Error("expected the input to be rejected");
}

const loadSettings = (shop: string) => loadProgram(db, shop);
/** What redemption reads of the program: code expiry, restoring points, combinations. */
async function redemptionSettings(shop: string) {
  const program = await loadSettings(shop);
  return {
    codeExpiryDays: program.codeExpiryDays,
    restorePointsOnExpiry: program.restorePointsOnExpiry,
    combinesWith: combinesWith(program),
  };
}

const valid = (patch: Partial<Record<keyof Program, unknown>> = {}) => ({ ...DEFAULT_PROGRAM, ...patch });

describe("program defaults", () => {
  it("match docs/loyalty-rules.md: 1 point per unit, bonuses, tiers and expiry off, no negative balances", async () => {
    expect(await loadSettings(newShop())).toEqual({
      pointsPerUnit: 1,
      signupBonusEnabled: false,
      signupBonusPoints: 100,
      birthdayBonusEnabled: false,
      birthdayBonusPoints: 100,
      firstOrderBonusEnabled: false,
      firstOrderBonusPoints: 100,
      nthOrderBonusEnabled: false,
      nthOrderBonusEvery: 5,
      nthOrderBonusPoints: 100,
      referralBonusEnabled: false,
      referralBonusPoints: 200,
      referralWelcomePoints: 100,
      referralMonthlyCap: 10,
      referralReturnWindowDays: 30,
      tiersEnabled: false,
      tiers: [],
      expiryEnabled: false,
      expiryMonths: 12,
      expiryReminderDays: 14,
      allowNegativeBalance: false,
      activeWindowDays: 365,
      codeExpiryDays: 30,
      restorePointsOnExpiry: false,
      combinesWithOrder: false,
      combinesWithProduct: true,
      combinesWithShipping: true,
    });
  });

  it("match what a newly installed shop's row holds (the schema's defaults)", async () => {
    const shop = newShop();
    await db.programSettings.create({ data: { shop } }); // what onShopInstalled stores
    expect(await loadSettings(shop)).toEqual(DEFAULT_PROGRAM);
  });
});

describe("settings validation", () => {
  it("accepts form text as well as JSON values", () => {
    const s = parseSettings({
      ...valid(),
      pointsPerUnit: " 2.5 ",
      signupBonusEnabled: "on",
      signupBonusPoints: "150",
      expiryMonths: "6",
      tiersEnabled: "false",
    });
    expect(s).toMatchObject({
      pointsPerUnit: 2.5,
      signupBonusEnabled: true,
      signupBonusPoints: 150,
      expiryMonths: 6,
      tiersEnabled: false,
    });
  });

  it("rejects a rate that is not a positive number, or finer than earning computes", () => {
    expect(errorsOf(() => parseSettings(valid({ pointsPerUnit: "" })))).toHaveProperty("pointsPerUnit");
    expect(errorsOf(() => parseSettings(valid({ pointsPerUnit: "abc" })))).toHaveProperty("pointsPerUnit");
    expect(errorsOf(() => parseSettings(valid({ pointsPerUnit: 0 })))).toHaveProperty("pointsPerUnit");
    expect(errorsOf(() => parseSettings(valid({ pointsPerUnit: -1 })))).toHaveProperty("pointsPerUnit");
    expect(errorsOf(() => parseSettings(valid({ pointsPerUnit: 0.0005 })))).toEqual({
      pointsPerUnit: "Use at most 3 decimal places",
    });
    expect(parseSettings(valid({ pointsPerUnit: 0.125 })).pointsPerUnit).toBe(0.125);
  });

  it("names each bad field: fractional points, months out of range", () => {
    const errors = errorsOf(() => parseSettings(valid({ signupBonusPoints: 12.5, expiryMonths: 0, codeExpiryDays: 9999 })));
    expect(Object.keys(errors).sort()).toEqual(["codeExpiryDays", "expiryMonths", "signupBonusPoints"]);
  });

  it("rejects duplicate tier names, equal thresholds and multipliers below 1, at the row the owner typed", () => {
    const errors = errorsOf(() =>
      parseSettings(
        valid({
          tiersEnabled: true,
          tiers: [
            { name: "Gold", minSpendCents: 100_000, multiplier: 1.5 },
            { name: "Silver", minSpendCents: 30_000, multiplier: 0.5 },
            { name: "gold", minSpendCents: 50_000, multiplier: 1.5 },
            { name: "Platinum", minSpendCents: 100_000, multiplier: 2 },
            { name: "", minSpendCents: 200_000, multiplier: 3 },
          ],
        }),
      ),
    );
    expect(errors).toEqual({
      "tiers.1.multiplier": "The multiplier must be at least 1",
      "tiers.2.name": '"gold" is already a tier name',
      "tiers.3.minSpendCents": 'Same spend as "Gold": each tier needs a higher spend',
      "tiers.4.name": "Name the tier",
    });
  });

  it("rejects a higher tier that earns less than a lower one, and tiers turned on with none", () => {
    expect(
      errorsOf(() =>
        parseSettings(
          valid({
            tiersEnabled: true,
            tiers: [
              { name: "A", minSpendCents: 0, multiplier: 2 },
              { name: "B", minSpendCents: 100, multiplier: 1.5 },
            ],
          }),
        ),
      ),
    ).toEqual({ "tiers.1.multiplier": 'A higher tier can\'t earn less than "A" (×2)' });
    expect(errorsOf(() => parseSettings(valid({ tiersEnabled: true, tiers: [] })))).toEqual({
      tiers: "Add at least one tier, or turn tiers off",
    });
  });

  it("names bad bonus, reminder and tier-reward fields: an Nth order below 2, a reminder over 90 days, perks over 200 characters", () => {
    expect(
      errorsOf(() =>
        parseSettings(
          valid({
            firstOrderBonusPoints: 0,
            nthOrderBonusEvery: 1,
            nthOrderBonusPoints: "1.5",
            expiryReminderDays: 91,
            tiersEnabled: true,
            tiers: [{ name: "Gold", minSpendCents: 0, multiplier: 1, entryRewardPoints: -1, perks: "p".repeat(201) }],
          }),
        ),
      ),
    ).toEqual({
      firstOrderBonusPoints: "Enter at least 1",
      nthOrderBonusEvery: "Enter at least 2",
      nthOrderBonusPoints: "Enter a whole number",
      expiryReminderDays: "Enter at most 90",
      "tiers.0.entryRewardPoints": "Enter at least 0",
      "tiers.0.perks": "Keep the perks under 200 characters",
    });
  });

  it("stores tiers sorted by spend", () => {
    const s = parseSettings(
      valid({
        tiersEnabled: true,
        tiers: [
          { name: "Gold", minSpendCents: "100000", multiplier: "1.5" },
          { name: " Silver ", minSpendCents: 30_000, multiplier: 1.25 },
        ],
      }),
    );
    // A tier without an entry reward or perks gets 0 and "" (what tiers saved before them read as).
    expect(s.tiers).toEqual([
      { name: "Silver", minSpendCents: 30_000, multiplier: 1.25, entryRewardPoints: 0, perks: "" },
      { name: "Gold", minSpendCents: 100_000, multiplier: 1.5, entryRewardPoints: 0, perks: "" },
    ]);
  });
});

describe("saving settings", () => {
  it("round-trips, and the earning rules read what was saved", async () => {
    const shop = newShop();
    const input = valid({
      pointsPerUnit: 2,
      signupBonusEnabled: true,
      signupBonusPoints: 250,
      birthdayBonusEnabled: true,
      referralBonusEnabled: true,
      referralBonusPoints: 500,
      firstOrderBonusEnabled: true,
      firstOrderBonusPoints: 40,
      nthOrderBonusEnabled: true,
      nthOrderBonusEvery: 3,
      nthOrderBonusPoints: 60,
      tiersEnabled: true,
      tiers: [
        { name: "Gold", minSpendCents: 100_000, multiplier: 2, entryRewardPoints: 500, perks: "Early access" },
        { name: "Silver", minSpendCents: 30_000, multiplier: 1.5 },
      ],
      expiryEnabled: true,
      expiryMonths: 18,
      expiryReminderDays: 7,
      allowNegativeBalance: true,
      activeWindowDays: 180,
      codeExpiryDays: 14,
      restorePointsOnExpiry: true,
      combinesWithOrder: true,
      combinesWithProduct: false,
      combinesWithShipping: false,
    });
    const saved = await saveSettings(shop, input);
    expect(await loadSettings(shop)).toEqual(saved);
    expect(saved).toEqual({
      ...input,
      tiers: [
        { name: "Silver", minSpendCents: 30_000, multiplier: 1.5, entryRewardPoints: 0, perks: "" },
        { name: "Gold", minSpendCents: 100_000, multiplier: 2, entryRewardPoints: 500, perks: "Early access" },
      ],
    });

    const program = await loadProgram(db as never, shop);
    expect(program).toMatchObject({
      pointsPerUnit: 2,
      signupBonusEnabled: true,
      signupBonusPoints: 250,
      tiersEnabled: true,
      allowNegativeBalance: true,
      activeWindowDays: 180,
    });
    expect(program.tiers.map((t) => t.name)).toEqual(["Silver", "Gold"]);
    expect(await redemptionSettings(shop)).toEqual({
      codeExpiryDays: 14,
      restorePointsOnExpiry: true,
      combinesWith: { orderDiscounts: true, productDiscounts: false, shippingDiscounts: false },
    });
  });

  it("stores nothing when any field is wrong", async () => {
    const shop = newShop();
    await saveSettings(shop, valid({ pointsPerUnit: 3 }));
    const before = await db.programSettings.findUniqueOrThrow({ where: { shop } });
    await expect(saveSettings(shop, valid({ pointsPerUnit: 5, expiryMonths: -1 }))).rejects.toBeInstanceOf(InvalidInput);
    expect(await db.programSettings.findUniqueOrThrow({ where: { shop } })).toEqual(before);
  });

  it("does not touch the ledger or balances, nor another shop's settings", async () => {
    await memberWithPoints(9_100_001, 420, SHOP);
    const ledgerBefore = await db.ledgerEntry.findMany({ orderBy: { id: "asc" } });
    const customersBefore = await db.customer.findMany({ orderBy: { id: "asc" } });
    const other = newShop();
    await saveSettings(other, valid({ pointsPerUnit: 7 }));

    await saveSettings(
      SHOP,
      valid({
        pointsPerUnit: 0.5,
        allowNegativeBalance: true,
        tiersEnabled: true,
        tiers: [{ name: "VIP", minSpendCents: 0, multiplier: 3 }],
      }),
    );
    expect(await db.ledgerEntry.findMany({ orderBy: { id: "asc" } })).toEqual(ledgerBefore);
    expect(await db.customer.findMany({ orderBy: { id: "asc" } })).toEqual(customersBefore);
    expect((await loadSettings(other)).pointsPerUnit).toBe(7);
  });
});

describe("referral settings", () => {
  it("round-trip, and bad values are named field by field with nothing saved, from the form or the JSON API", async () => {
    const shop = newShop();
    const saved = await saveSettings(
      shop,
      valid({
        referralBonusEnabled: "on",
        referralBonusPoints: "300",
        referralWelcomePoints: "0",
        referralMonthlyCap: "5",
        referralReturnWindowDays: "14",
      }),
    );
    expect(saved).toMatchObject({
      referralBonusEnabled: true,
      referralBonusPoints: 300,
      referralWelcomePoints: 0,
      referralMonthlyCap: 5,
      referralReturnWindowDays: 14,
    });
    const before = await db.programSettings.findUniqueOrThrow({ where: { shop } });
    const bad = { referralWelcomePoints: -1, referralMonthlyCap: 0, referralReturnWindowDays: 366 };
    expect(errorsOf(() => parseSettings(valid(bad)))).toEqual({
      referralWelcomePoints: "Enter at least 0",
      referralMonthlyCap: "Enter at least 1",
      referralReturnWindowDays: "Enter at most 365",
    });
    await expect(saveSettings(shop, valid(bad))).rejects.toBeInstanceOf(InvalidInput);
    const patch = patchSettings(shop, saved, { referralMonthlyCap: "ten", referralReturnWindowDays: 2.5 });
    await expect(patch).rejects.toMatchObject({
      fieldErrors: { referralMonthlyCap: "Enter a number of referrals", referralReturnWindowDays: "Enter a whole number" },
    });
    expect(await db.programSettings.findUniqueOrThrow({ where: { shop } })).toEqual(before);
    expect((await patchSettings(shop, saved, { referralMonthlyCap: 1 })).referralMonthlyCap).toBe(1);
  });
});

describe("rewards", () => {
  it("validate by kind: amount off needs an amount, percent off 1–100, free shipping no value; cost above 0", () => {
    expect(errorsOf(() => parseReward({ name: "$5 off", kind: "amount_off", pointsCost: 500, valueCents: 0 }))).toEqual({
      valueCents: "The amount off must be more than 0",
    });
    expect(errorsOf(() => parseReward({ name: "$5 off", kind: "amount_off", pointsCost: 500 }))).toEqual({
      valueCents: "Enter an amount",
    });
    expect(errorsOf(() => parseReward({ name: "Half", kind: "percent_off", pointsCost: 500, percentOff: 101 }))).toEqual({
      percentOff: "Enter at most 100",
    });
    expect(errorsOf(() => parseReward({ name: "None", kind: "percent_off", pointsCost: 500, percentOff: 0 }))).toEqual({
      percentOff: "Enter at least 1",
    });
    expect(errorsOf(() => parseReward({ name: "Free", kind: "free_shipping", pointsCost: 0 }))).toEqual({
      pointsCost: "Enter at least 1",
    });
    expect(errorsOf(() => parseReward({ name: " ", kind: "gift_card", pointsCost: -5 }))).toEqual({
      name: "Name the reward",
      kind: "Choose amount off, percent off, free shipping or store credit",
      pointsCost: "Enter at least 1",
    });
    expect(
      errorsOf(() => parseReward({ name: "x", kind: "free_shipping", pointsCost: 10, minimumSubtotalCents: "lots" })),
    ).toHaveProperty("minimumSubtotalCents");
    // Free shipping carries no value, whatever was sent; an empty minimum is no minimum.
    expect(
      parseReward({
        name: "Free shipping",
        kind: "free_shipping",
        pointsCost: "800",
        valueCents: 999,
        percentOff: 5,
        minimumSubtotalCents: "",
      }),
    ).toEqual({
      name: "Free shipping",
      kind: "free_shipping",
      pointsCost: 800,
      valueCents: 0,
      percentOff: 0,
      minimumSubtotalCents: null,
      creditExpiryDays: null,
    });
    expect(
      parseReward({
        name: "10% off",
        kind: "percent_off",
        pointsCost: 1000,
        percentOff: "10",
        valueCents: 500,
        minimumSubtotalCents: 5000,
      }),
    ).toMatchObject({
      valueCents: 0,
      percentOff: 10,
      minimumSubtotalCents: 5000,
      creditExpiryDays: null,
    });
  });

  it("are created, edited and deactivated; the storefront offers only active ones", async () => {
    const shop = newShop();
    const r = await createReward(shop, { name: "$5 off", kind: "amount_off", pointsCost: 500, valueCents: 500 });
    await updateReward(shop, r.id, {
      name: "$7 off",
      kind: "amount_off",
      pointsCost: 650,
      valueCents: 700,
      minimumSubtotalCents: 3000,
    });
    expect((await activeRewards(shop)).map((x) => [x.name, x.pointsCost, x.valueCents, x.minimumSubtotalCents])).toEqual([
      ["$7 off", 650, 700, 3000],
    ]);
    await expect(
      updateReward(shop, r.id, { name: "$7 off", kind: "amount_off", pointsCost: 650, valueCents: -1 }),
    ).rejects.toBeInstanceOf(InvalidInput);
    await setRewardActive(shop, r.id, false);
    expect(await activeRewards(shop)).toEqual([]);
    expect((await listRewards(shop)).map((x) => [x.name, x.active])).toEqual([["$7 off", false]]);
  });

  it("of another shop cannot be changed", async () => {
    const r = await createReward(newShop(), { name: "Theirs", kind: "free_shipping", pointsCost: 100 });
    await expect(setRewardActive(newShop(), r.id, false)).rejects.toThrow(/no reward/);
    await expect(removeReward(newShop(), r.id)).rejects.toThrow(/no reward/);
    expect((await db.reward.findUniqueOrThrow({ where: { id: r.id } })).active).toBe(true);
  });

  it("with redemptions are deactivated, never deleted; unused ones are deleted", async () => {
    const shop = newShop();
    const used = await createReward(shop, { name: "$5 off", kind: "amount_off", pointsCost: 500, valueCents: 500 });
    const unused = await createReward(shop, { name: "10% off", kind: "percent_off", pointsCost: 1000, percentOff: 10 });
    const customerId = await memberWithPoints(9_200_001, 1000, shop);
    await db.redemption.create({
      data: {
        shop,
        customerId,
        rewardId: used.id,
        pointsSpent: 500,
        status: "issued",
        code: "REG-TEST-0001",
        idempotencyKey: "k1",
      },
    });

    expect(await removeReward(shop, used.id)).toBe("deactivated");
    expect(await removeReward(shop, unused.id)).toBe("deleted");
    const kept = await db.reward.findUniqueOrThrow({ where: { id: used.id } });
    expect(kept).toMatchObject({ name: "$5 off", active: false });
    expect(await db.reward.findUnique({ where: { id: unused.id } })).toBeNull();
    expect((await db.redemption.findFirstOrThrow({ where: { shop } })).rewardId).toBe(kept.id);
    expect((await listRewards(shop))[0]).toMatchObject({ id: used.id, redemptions: 1 });
  });
});

describe("suggested rewards", () => {
  it("are $5 off for 500 points, free shipping for 800 and 10% off for 1,000 at 1 point per unit", () => {
    expect(suggestedRewards(1).map((r) => [r.name, r.kind, r.pointsCost, r.valueCents, r.percentOff])).toEqual([
      ["$5 off", "amount_off", 500, 500, 0],
      ["Free shipping", "free_shipping", 800, 0, 0],
      ["10% off", "percent_off", 1000, 0, 10],
    ]);
  });

  it("scale their costs to the shop's points per unit", async () => {
    const shop = newShop();
    await db.shop.create({ data: { domain: shop, currency: "EUR" } });
    await saveSettings(shop, valid({ pointsPerUnit: 2.5 }));
    expect(await addSuggestedRewards(shop)).toBe(3);
    const rewards = await activeRewards(shop);
    expect(rewards.map((r) => [r.name, r.pointsCost])).toEqual([
      ["€5 off", 1250],
      ["Free shipping", 2000],
      ["10% off", 2500],
    ]);
    // A second click adds nothing.
    expect(await addSuggestedRewards(shop)).toBe(0);
    expect(await db.reward.count({ where: { shop } })).toBe(3);
  });

  it("are only added to a shop without rewards", async () => {
    const shop = newShop();
    await createReward(shop, { name: "Mine", kind: "free_shipping", pointsCost: 300 });
    expect(await addSuggestedRewards(shop)).toBe(0);
    expect((await listRewards(shop)).map((r) => r.name)).toEqual(["Mine"]);
  });
});
