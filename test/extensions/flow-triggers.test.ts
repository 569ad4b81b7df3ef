// The Flow trigger extensions and what Regulars sends them: each extension is a flow_trigger with
// one of our handles, fields as Flow accepts them (a customer reference; other keys letters and
// spaces), and every payload Regulars builds carries exactly the declared fields.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  pointsEarnedEvent,
  pointsExpiringEvent,
  rewardRedeemedEvent,
  tierChangedEvent,
  type NewFlowEvent,
} from "../../app/loyalty/flow-payloads";
import { FLOW_TRIGGER_HANDLES } from "../../app/shopify/flow-triggers";

const ROOT = path.resolve(__dirname, "../..");
type Field = { type: string; key?: string };

/** Enough TOML for a flow extension: comment lines, [[extensions]], [settings], [[settings.fields]], `key = "string"`. */
function parse(text: string) {
  const extensions: Record<string, string>[] = [];
  const fields: Field[] = [];
  let current: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line === "[settings]") continue;
    if (line === "[[extensions]]") extensions.push((current = {}));
    else if (line === "[[settings.fields]]") fields.push((current = {} as Field & Record<string, string>) as Field);
    else {
      const m = /^([\w-]+)\s*=\s*"([^"]*)"$/.exec(line);
      if (!m) throw new Error(`unexpected TOML line: ${raw}`);
      current[m[1]] = m[2];
    }
  }
  return { extensions, fields };
}

const dirs = readdirSync(path.join(ROOT, "extensions")).filter((d) => d.startsWith("regulars-flow-"));
const triggers = dirs
  .map((d) => parse(readFileSync(path.join(ROOT, "extensions", d, "shopify.extension.toml"), "utf8")))
  .filter((t) => t.extensions[0]?.type === "flow_trigger");

const samples: NewFlowEvent[] = [
  pointsEarnedEvent("s", { shopifyId: "1", pointsBalance: 5, tier: null }, { delta: 5, reason: "Order #1", idempotencyKey: "k" }),
  tierChangedEvent("s", { id: 1, shopifyId: "1", pointsBalance: 5 }, { seq: 1, from: null, to: "Gold" }),
  pointsExpiringEvent("s", { id: 1, shopifyId: "1", tier: "Gold" }, { points: 5, expiresOn: "2026-01-20" }),
  rewardRedeemedEvent({
    shop: "s",
    customerShopifyId: "1",
    redemptionId: 1,
    reward: { name: "$5 off", pointsCost: 500 },
    balance: 0,
  }),
];

describe("Flow trigger extensions", () => {
  it("one flow_trigger per handle Regulars fires, and a lifecycle callback to /flow/lifecycle", () => {
    expect(triggers.map((t) => t.extensions[0].handle).sort()).toEqual([...FLOW_TRIGGER_HANDLES].sort());
    const callback = dirs
      .map((d) => parse(readFileSync(path.join(ROOT, "extensions", d, "shopify.extension.toml"), "utf8")).extensions[0])
      .find((e) => e.type === "flow_trigger_lifecycle_callback");
    expect(callback).toMatchObject({ url: "/flow/lifecycle" });
  });

  it.each(triggers.map((t) => [t.extensions[0].handle, t] as const))(
    "%s: fields Flow accepts, a name, at most 30-character handle",
    (handle, t) => {
      expect(handle.length).toBeLessThanOrEqual(30);
      expect(t.extensions[0].name).toBeTruthy();
      expect(t.fields.filter((f) => f.type === "customer_reference")).toHaveLength(1);
      for (const f of t.fields.filter((f) => f.type !== "customer_reference")) expect(f.key).toMatch(/^[a-zA-Z\s]+$/);
    },
  );

  it.each(samples.map((e) => [e.trigger, e] as const))("%s: the payload carries exactly the declared fields", (handle, event) => {
    const t = triggers.find((x) => x.extensions[0].handle === handle)!;
    const declared = t.fields.map((f) => (f.type === "customer_reference" ? "customer_id" : f.key!));
    expect(Object.keys(event.payload).sort()).toEqual(declared.sort());
    expect(typeof event.payload.customer_id).toBe("number");
    for (const f of t.fields) {
      const value = event.payload[f.key ?? "customer_id"];
      if (f.type === "number_integer") expect(Number.isInteger(value)).toBe(true);
      if (f.type === "single_line_text_field") expect(typeof value).toBe("string");
    }
  });
});
