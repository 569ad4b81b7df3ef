// Migration 0008 on a database that already has shops (an upgrade, not a fresh install): the shops
// installed before the onboarding existed are recorded as having put it aside when they installed,
// so opening the app still shows their dashboard; a shop installed afterwards is sent into it.
// SQLite, or PostgreSQL with TEST_POSTGRES_URL.
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { applyMigrations, dialectOf } from "../../app/db/migrations.server";
import { databaseBefore, usingPostgres } from "../support/database";

const ONBOARDING = "0008_onboarding.sql";

afterAll(async () => {
  const { db } = await import("../../app/db.server");
  await db.$disconnect();
});

it(`marks the shops already installed as having put the onboarding aside (${usingPostgres ? "PostgreSQL" : "SQLite"})`, async () => {
  // The database as it was before this migration: every earlier one applied.
  const url = await databaseBefore(ONBOARDING);
  const all = path.resolve("prisma/migrations", dialectOf(url));

  process.env.DATABASE_URL = url;
  const { db } = await import("../../app/db.server");
  const installedAt = new Date("2026-06-01T09:30:00.000Z");
  await db.shop.create({ data: { domain: "old-timer.myshopify.com", installedAt } });

  expect(await applyMigrations(url, all)).toContain(ONBOARDING.replace(/\.sql$/, ""));
  const { onboardingPending, onboardingStatus } = await import("../../app/onboarding/onboarding.server");
  const row = await db.onboarding.findUniqueOrThrow({ where: { shop: "old-timer.myshopify.com" } });
  expect(row).toMatchObject({ dismissedAt: installedAt, finishedAt: null, earningSavedAt: null, embedOn: false });
  expect(await onboardingPending("old-timer.myshopify.com")).toBe(false);
  expect((await onboardingStatus("old-timer.myshopify.com")).dismissedAt).toBe(installedAt.toISOString());
  // A shop that installs after the upgrade meets the onboarding.
  await db.shop.create({ data: { domain: "newcomer.myshopify.com" } });
  expect(await onboardingPending("newcomer.myshopify.com")).toBe(true);
});
