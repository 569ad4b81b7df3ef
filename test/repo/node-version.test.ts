// Node 22 or newer runs the tests and the server, whatever the machine's own Node is
// (scripts/ensure-node.sh brings it when the machine's is older).
import { describe, expect, it } from "vitest";
import { useFreshDatabase } from "../support/database";
import { startApp } from "../support/server";
import { waitFor } from "../support/wait";

const major = (version: string) => Number(version.replace(/^v/, "").split(".")[0]);

describe("the runtime", () => {
  it("runs the tests on Node 22 or newer", () => {
    expect(major(process.version)).toBeGreaterThanOrEqual(22);
  });

  it("starts the server on Node 22 or newer, and the server says which", async () => {
    const app = await startApp(await useFreshDatabase(), { WEB_CONCURRENCY: "1" });
    try {
      const listening = await waitFor(
        () =>
          app
            .logs()
            .split("\n")
            .find((line) => line.includes('"server.listening"')),
        {
          what: "the server.listening log line",
        },
      ).catch(() => undefined);
      expect(listening, app.logs()).toBeDefined();
      expect(major(JSON.parse(listening!).node)).toBeGreaterThanOrEqual(22);
    } finally {
      await app.stop();
    }
  });
});
