// GET and PATCH /app/api/program end to end: the real built server, a real database, session-token
// auth as App Bridge sends it. PATCH takes any subset of the Program page's fields, validated the
// same way: 400 with field errors and nothing saved, else saved and answered with the whole program.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { DEFAULT_PROGRAM } from "../../app/loyalty/program";
import { loadProgram } from "../../app/loyalty/program.server";
import { adminHeaders, BROWSER_USER_AGENT, sessionToken, storeAdminSessions } from "../support/admin-session";
import { useFreshDatabase } from "../support/database";
import { startApp, type RunningApp } from "../support/server";
import { SHOP } from "../support/shopify";

let app: RunningApp;

beforeAll(async () => {
  const url = await useFreshDatabase();
  await db.shop.create({ data: { domain: SHOP, currency: "USD" } });
  await storeAdminSessions(SHOP);
  await db.reward.create({ data: { shop: SHOP, name: "$5 off", kind: "amount_off", pointsCost: 500, valueCents: 500 } });
  app = await startApp(url);
});
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

const api = (init: RequestInit = {}, headers: Record<string, string> = adminHeaders()) =>
  fetch(`${app.url}/app/api/program`, {
    ...init,
    headers: { ...headers, "Content-Type": "application/json", ...(init.headers as object) },
  });
const patch = (body: unknown) => api({ method: "PATCH", body: typeof body === "string" ? body : JSON.stringify(body) });

describe("GET /app/api/program", () => {
  it("answers the settings (defaults before any save) and the rewards as the Program page shows them", async () => {
    const response = await api();
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.settings).toEqual(DEFAULT_PROGRAM);
    expect(body.rewards).toEqual([
      expect.objectContaining({ name: "$5 off", kind: "amount_off", pointsCost: 500, active: true, redemptions: 0 }),
    ]);
  });

  it("answers 401 without a session token, and with one signed by another secret", async () => {
    expect((await api({}, { "User-Agent": BROWSER_USER_AGENT, Accept: "application/json" })).status).toBe(401);
    const forged = { ...adminHeaders(), Authorization: `Bearer ${sessionToken(SHOP, { secret: "not-the-secret" })}` };
    expect((await api({}, forged)).status).toBe(401);
    expect((await api({ method: "PATCH", body: JSON.stringify({ birthdayBonusEnabled: true }) }, forged)).status).toBe(401);
    expect((await loadProgram(db, SHOP)).birthdayBonusEnabled).toBe(false);
  });
});

describe("PATCH /app/api/program", () => {
  it("merges a subset onto the stored settings, saves it and answers the whole program", async () => {
    const response = await patch({ birthdayBonusEnabled: true, birthdayBonusPoints: 250, firstOrderBonusPoints: "75" });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.settings).toEqual({
      ...DEFAULT_PROGRAM,
      birthdayBonusEnabled: true,
      birthdayBonusPoints: 250,
      firstOrderBonusPoints: 75,
    });
    expect(await loadProgram(db, SHOP)).toEqual(body.settings);

    // A second subset keeps the first.
    const tiers = [{ name: "Gold", minSpendCents: 50_000, multiplier: 2, entryRewardPoints: 300, perks: "Free shipping" }];
    const second = await (await patch({ tiersEnabled: true, tiers })).json();
    expect(second.settings).toMatchObject({ birthdayBonusPoints: 250, tiersEnabled: true, tiers });
  });

  it("answers 400 with field errors and saves nothing when any field is wrong", async () => {
    const before = await loadProgram(db, SHOP);
    const response = await patch({
      birthdayBonusPoints: 0,
      nthOrderBonusEvery: 1,
      pointsPerUnit: 2,
      tiers: [{ name: "", minSpendCents: 0, multiplier: 1, perks: "x".repeat(201) }],
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.errors).toEqual({
      birthdayBonusPoints: "Enter at least 1",
      nthOrderBonusEvery: "Enter at least 2",
      "tiers.0.name": "Name the tier",
      "tiers.0.perks": "Keep the perks under 200 characters",
    });
    expect(await loadProgram(db, SHOP)).toEqual(before); // pointsPerUnit: 2 was valid, and still not saved
  });

  it("answers 400 for a field the page does not have, a body that is not an object, and bad JSON", async () => {
    const before = await loadProgram(db, SHOP);
    const unknown = await patch({ birthdayBonusPoint: 5 });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).errors).toEqual({ birthdayBonusPoint: "Not a program setting" });
    expect((await patch([1, 2])).status).toBe(400);
    const bad = await patch("{not json");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/not valid JSON/);
    expect(await loadProgram(db, SHOP)).toEqual(before);
  });
});
