// Shopify Flow's flowTriggerReceive (Admin API 2026-10) for the emulator: the handle must be one
// of the app's trigger extensions and the payload a JSON object under Flow's size limit; a
// refusal is a `userErrors` entry. Every trigger Shopify accepted is logged to `<dir>/flow.jsonl`
// with its payload, which is what a merchant's workflow would receive.
import type * as Msw from "msw";
import { FLOW_TRIGGER_HANDLES } from "../flow-triggers";
import { appendLog, costBucket, syncFaults, THROTTLED_ERRORS, type SyncEmulatorOptions } from "./sync-common";

const COST = 10;
/** Flow refuses a trigger payload over 50 KB. */
const MAX_PAYLOAD_BYTES = 50_000;

export function flowApi(msw: typeof Msw, options: SyncEmulatorOptions, bucket = costBucket()) {
  const { delay, HttpResponse } = msw;
  const throttledOnce = new Set<string>();
  return {
    async answer(shop: string, query: string, variables: Record<string, unknown>): Promise<Response | undefined> {
      if (!query.includes("flowTriggerReceive(")) return undefined;
      const fault = syncFaults(options).flow ?? null;
      if (fault !== "throttledOnce") throttledOnce.delete(shop);
      if (fault === "hang") await delay("infinite");
      if (fault === "serverError") return HttpResponse.json({ errors: "Internal Server Error" }, { status: 500 });
      const once = fault === "throttledOnce" && !throttledOnce.has(shop);
      if (once) throttledOnce.add(shop);
      const cost = bucket.spend(shop, COST, fault === "throttled" || once);
      const handle = variables.handle;
      const payload = variables.payload;
      const entry = { shop, handle, payload, at: new Date().toISOString() };
      if (cost.throttled) {
        appendLog(options, "flow.jsonl", { ...entry, outcome: "throttled" });
        return HttpResponse.json({ errors: THROTTLED_ERRORS, extensions: cost.extensions });
      }
      const userErrors: Array<{ field: string[]; message: string }> = [];
      if (typeof handle !== "string" || !(FLOW_TRIGGER_HANDLES as string[]).includes(handle))
        userErrors.push({ field: ["handle"], message: `Trigger with handle ${String(handle)} not found` });
      if (!payload || typeof payload !== "object" || Array.isArray(payload))
        userErrors.push({ field: ["payload"], message: "Payload must be a JSON object" });
      else if (JSON.stringify(payload).length > MAX_PAYLOAD_BYTES)
        userErrors.push({ field: ["payload"], message: `Payload exceeds ${MAX_PAYLOAD_BYTES} bytes` });
      else if (typeof (payload as Record<string, unknown>).customer_id !== "number")
        userErrors.push({ field: ["payload", "customer_id"], message: "customer_id must be a customer's numeric id" });
      if (fault === "userErrors") userErrors.push({ field: ["payload"], message: "Payload does not match the trigger's fields" });
      appendLog(options, "flow.jsonl", { ...entry, outcome: userErrors.length ? "userErrors" : "ok", userErrors });
      return HttpResponse.json({ data: { flowTriggerReceive: { userErrors } }, extensions: cost.extensions });
    },
  };
}
