// The first-run onboarding's rules against a real database (SQLite, or PostgreSQL with
// TEST_POSTGRES_URL): a new shop is sent into it until it finishes or puts it aside; each step
// saves through the Program page's rules (a wrong value saves nothing); the starter rewards are
// created once however often they are submitted; the checklist ticks from stored facts; the theme
// check reads the live theme through the real Shopify library, answered by the emulator.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "../../app/db.server";
import { InvalidInput } from "../../app/loyalty/form-input";
import { redactShop } from "../../app/privacy/gdpr.server";
import { loadProgram } from "../../app/loyalty/program.server";
import { DEFAULT_PROGRAM } from "../../app/loyalty/program";
import {
  checkEmbed,
  dismissOnboarding,
  embedEditorUrl,
  finishOnboarding,
  NotReadyToFinish,
  onboardingPending,
  onboardingStatus,
  saveEarning,
  saveStarterRewards,
  starterRewards,
} from "../../app/onboarding/onboarding.server";
import { writeEmulatedEmbed } from "../../app/shopify/emulator/themes";
import { unauthenticated } from "../../app/shopify.server";
import { storeAdminSessions } from "../support/admin-session";
import { useFreshDatabase, usingPostgres } from "../support/database";

// Before any import runs: the emulator answers the Admin API from the first call.
const dir = vi.hoisted(() => {
  const { mkdtempSync } = require("node:fs") as typeof import("node:fs");
  const emulatorDir = mkdtempSync(`${require("node:os").tmpdir()}/regulars-onboarding-`);
  process.env.SHOPIFY_EMULATOR = "1";
  process.env.SHOPIFY_EMULATOR_DIR = emulatorDir;
  process.env.SHOPIFY_API_KEY = "onboarding-test-key";
  process.env.SHOPIFY_API_SECRET = "onboarding-test-secret";
  return emulatorDir;
});

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(() => db.$disconnect());

const caught = async (work: Promise<unknown>) =>
  work.then(
    () => null,
    (error: unknown) => error,
  );

const STARTERS = [
  { name: "$5 off", kind: "amount_off", pointsCost: "500", valueCents: 500, percentOff: 0, minimumSubtotalCents: null },
  { name: "Free shipping", kind: "free_shipping", pointsCost: "800", valueCents: 0, percentOff: 0, minimumSubtotalCents: null },
  { name: "10% off", kind: "percent_off", pointsCost: "1000", valueCents: 0, percentOff: "10", minimumSubtotalCents: null },
];

describe(`a new shop's onboarding (${usingPostgres ? "PostgreSQL" : "SQLite"})`, () => {
  const shop = "first-run.myshopify.com";

  it("is pending for a shop that never opened it, with nothing ticked", async () => {
    expect(await onboardingPending(shop)).toBe(true);
    expect(await onboardingStatus(shop)).toMatchObject({
      checklist: { earning: false, rewards: false, embed: false },
      done: 0,
      dismissedAt: null,
      finishedAt: null,
    });
  });

  it("refuses an invalid rate field by field and saves nothing", async () => {
    const error = await caught(saveEarning(shop, { pointsPerUnit: "abc", signupBonusEnabled: true, signupBonusPoints: "0" }));
    expect(error).toBeInstanceOf(InvalidInput);
    expect((error as InvalidInput).fieldErrors).toEqual({
      pointsPerUnit: "Enter points per unit",
      signupBonusPoints: "Enter at least 1",
    });
    expect(await db.programSettings.count({ where: { shop } })).toBe(0);
    expect((await onboardingStatus(shop)).checklist.earning).toBe(false);
  });

  it("saves the rate and the sign-up bonus, and only those, then ticks earning", async () => {
    await saveEarning(shop, { pointsPerUnit: "2", signupBonusEnabled: true, signupBonusPoints: "200", tiersEnabled: true });
    const program = await loadProgram(db, shop);
    expect(program).toMatchObject({ pointsPerUnit: 2, signupBonusEnabled: true, signupBonusPoints: 200 });
    // Everything else stays as it is out of the box: only order points and what step 1 turned on.
    expect({ ...program, pointsPerUnit: 1, signupBonusEnabled: false, signupBonusPoints: 100 }).toEqual(DEFAULT_PROGRAM);
    expect((await onboardingStatus(shop)).checklist.earning).toBe(true);
  });

  it("proposes the starter rewards scaled to the saved rate", async () => {
    // 2 points per unit: twice the points of the 1-point set (500, 800, 1,000).
    expect((await starterRewards(shop)).map((r) => [r.name, r.pointsCost])).toEqual([
      ["$5 off", 1000],
      ["Free shipping", 1600],
      ["10% off", 2000],
    ]);
  });

  it("refuses starter rewards with any wrong field, naming the row, and creates none", async () => {
    const edited = STARTERS.map((r, i) => (i === 1 ? { ...r, pointsCost: "-5" } : i === 2 ? { ...r, percentOff: "150" } : r));
    const error = await caught(saveStarterRewards(shop, edited));
    expect((error as InvalidInput).fieldErrors).toEqual({
      "rewards.1.pointsCost": "Enter at least 1",
      "rewards.2.percentOff": "Enter at most 100",
    });
    expect(await db.reward.count({ where: { shop } })).toBe(0);
    expect((await caught(saveStarterRewards(shop, []))) as InvalidInput).toMatchObject({
      fieldErrors: { rewards: "Add at least one reward" },
    });
  });

  it("creates the edited starter rewards once when submitted twice at the same time", async () => {
    const edited = STARTERS.map((r, i) => (i === 0 ? { ...r, name: "Five off", pointsCost: "450" } : r));
    const created = await Promise.all([saveStarterRewards(shop, edited), saveStarterRewards(shop, edited)]);
    expect(created.sort()).toEqual([0, 3]);
    expect(await saveStarterRewards(shop, edited)).toBe(0);
    const rows = await db.reward.findMany({ where: { shop }, orderBy: { pointsCost: "asc" } });
    expect(rows.map((r) => [r.name, r.kind, r.pointsCost, r.valueCents, r.percentOff, r.active])).toEqual([
      ["Five off", "amount_off", 450, 500, 0, true],
      ["Free shipping", "free_shipping", 800, 0, 0, true],
      ["10% off", "percent_off", 1000, 0, 10, true],
    ]);
    expect((await onboardingStatus(shop)).checklist).toEqual({ earning: true, rewards: true, embed: false });
  });

  it("unticks rewards when no reward is active any more", async () => {
    await db.reward.updateMany({ where: { shop }, data: { active: false } });
    expect((await onboardingStatus(shop)).checklist.rewards).toBe(false);
    await db.reward.updateMany({ where: { shop }, data: { active: true } });
  });

  it("will not finish before every step is ticked", async () => {
    const error = await caught(finishOnboarding(shop));
    expect(error).toBeInstanceOf(NotReadyToFinish);
    expect((error as NotReadyToFinish).missing).toEqual(["embed"]);
    expect(await onboardingPending(shop)).toBe(true);
  });

  it("reads the live theme for the embed: never added, switched off, on", async () => {
    await storeAdminSessions(shop);
    const { admin } = await unauthenticated.admin(shop);
    expect(await checkEmbed(shop, admin)).toMatchObject({ state: "absent", themeName: "Dawn" });
    writeEmulatedEmbed(dir, shop, "off");
    expect(await checkEmbed(shop, admin)).toMatchObject({ state: "off" });
    expect((await onboardingStatus(shop)).checklist.embed).toBe(false);
    writeEmulatedEmbed(dir, shop, "on");
    expect(await checkEmbed(shop, admin)).toMatchObject({ state: "on" });
    const status = await onboardingStatus(shop);
    expect(status.checklist.embed).toBe(true);
    expect(status.done).toBe(3);
    expect(status.embedCheckedAt).not.toBeNull();
  });

  it("keeps the last answer when Shopify cannot say", async () => {
    const failing = {
      graphql: async () => new Response(JSON.stringify({ errors: [{ message: "Access denied for themes field" }] })),
    };
    expect(await checkEmbed(shop, failing)).toMatchObject({ state: "unknown" });
    expect((await onboardingStatus(shop)).checklist.embed).toBe(true);
  });

  it("finishes, and is not pending any more", async () => {
    await finishOnboarding(shop);
    expect(await onboardingPending(shop)).toBe(false);
    expect((await onboardingStatus(shop)).finishedAt).not.toBeNull();
  });

  it("links to the theme editor with the embed switched on", () => {
    expect(embedEditorUrl(shop)).toBe(
      `https://${shop}/admin/themes/current/editor?context=apps&activateAppId=onboarding-test-key/rewards-embed`,
    );
  });
});

describe("putting the onboarding aside", () => {
  const shop = "later.myshopify.com";

  it("stops sending the shop into it, unfinished", async () => {
    await dismissOnboarding(shop);
    expect(await onboardingPending(shop)).toBe(false);
    expect(await onboardingStatus(shop)).toMatchObject({ done: 0, finishedAt: null, dismissedAt: expect.any(String) });
  });
});

describe("a shop that already has rewards", () => {
  const shop = "has-rewards.myshopify.com";

  it("gets no starter rewards added, and rewards is ticked already", async () => {
    await db.reward.create({ data: { shop, name: "Tote bag", kind: "amount_off", pointsCost: 300, valueCents: 1500 } });
    expect(await saveStarterRewards(shop, STARTERS)).toBe(0);
    expect(await db.reward.count({ where: { shop } })).toBe(1);
    expect((await onboardingStatus(shop)).checklist.rewards).toBe(true);
  });
});

describe("shop/redact", () => {
  it("takes the onboarding's row with the rest of the shop: a reinstall starts it again", async () => {
    const shop = "redacted.myshopify.com";
    await dismissOnboarding(shop);
    await db.$transaction((tx) => redactShop(tx, shop));
    expect(await db.onboarding.count({ where: { shop } })).toBe(0);
    expect(await onboardingPending(shop)).toBe(true);
  });
});
