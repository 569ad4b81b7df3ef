// Which tier each test file belongs to. vitest.config.ts makes one project of each, and
// test/repo/tiers.test.ts checks that a file sits in the tier its imports call for:
//
// - unit: plain functions, files and child commands; no database, no build, no server. Seconds.
// - database: the app's modules in this process against a real, fresh database (SQLite, or
//   PostgreSQL when TEST_POSTGRES_URL is set). No build.
// - e2e: the built server (`node server.mjs`, so `npm run build` first) and/or Chromium.
//
// A file is placed by path: most of a directory shares a tier, and the few that do not are named.

/** The built server or a browser. */
export const E2E = [
  "test/integration/**/*.test.ts",
  "test/storefront/**/*.test.ts",
  "test/**/*.browser.test.ts",
  "test/repo/node-version.test.ts",
  "test/faults/{kill-restart,database-unavailable}.test.ts",
];

/** E2E files that touch no database: the PostgreSQL pass in CI leaves them out. */
export const E2E_WITHOUT_DATABASE = ["test/widget/panel.browser.test.ts"];

/** The app's modules against a real database, in process. */
export const DATABASE = [
  "test/analytics/kpis.test.ts",
  "test/analytics/scan.test.ts",
  "test/analytics/order-history-upkeep.test.ts",
  "test/backfill/**/*.test.ts",
  "test/loyalty/{birthdays,bonuses,bulk-adjust,csv-import,customer-upsert,expiry,expiry-reminders,ledger-bounds,members,redemption,referral-takebacks,referrals,settings,tiers}.test.ts",
  "test/shopify/**/*.test.ts",
  "test/webhooks/{direct-sql,inbox-commit,parse-once,receive,retention}.test.ts",
  "test/faults/{ledger-properties,unavailable}.test.ts",
  "test/jobs/**/*.test.ts",
  "test/reconciliation/**/*.test.ts",
  "test/onboarding/{onboarding,migration}.test.ts",
  "test/loyalty/store-credit.test.ts",
  "test/loyalty/widget-view.test.ts",
  "test/analytics/cdnow-orders.test.ts",
  "test/db/**/*.test.ts",
];

/** Every test file; what is in neither list above is a unit test. */
export const ALL = ["test/**/*.test.ts"];
