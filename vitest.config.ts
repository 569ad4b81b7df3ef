// Three projects, one per test tier (test/tiers.ts says which file is in which and why):
// `npm run test:unit`, `test:db`, `test:e2e`; `npm test` runs all three, in that order.
import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";
import { ALL, DATABASE, E2E } from "./test/tiers";

export default defineConfig({
  resolve: { alias: { "~": fileURLToPath(new URL("./app", import.meta.url)) } },
  test: {
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    projects: [
      {
        extends: true, // the settings above
        // groupOrder: the quick tiers report first; a later tier starts when the one before is done.
        test: { name: "unit", include: ALL, exclude: [...DATABASE, ...E2E], sequence: { groupOrder: 0 } },
      },
      {
        extends: true, // the settings above
        test: { name: "database", include: DATABASE, exclude: E2E, sequence: { groupOrder: 1 } },
      },
      {
        extends: true, // the settings above
        // Only this tier needs build/ (the server runs the Remix build); its setup says so if it is missing.
        test: { name: "e2e", include: E2E, globalSetup: ["test/e2e-setup.ts"], sequence: { groupOrder: 2 } },
      },
    ],
  },
});
