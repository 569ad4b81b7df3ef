// Shopify's metafield operations as Regulars uses them (Admin API 2026-10), for the emulator:
// metafieldDefinitionCreate (TAKEN when the definition exists), metafieldsSet (at most 25
// metafields, atomic, MetafieldsSetUserError with elementIndex) and metafieldsDelete. What the
// emulated shop holds is logged to `<dir>/metafields.jsonl` (one line per call, with its outcome),
// so tests and the demo can see each write.
import type * as Msw from "msw";
import { appendLog, costBucket, syncFaults, THROTTLED_ERRORS, type SyncEmulatorOptions } from "./sync-common";

type Definition = { namespace: string; key: string; type: string; ownerType: string; access?: unknown };
type Input = { ownerId?: string; namespace?: string; key?: string; type?: string; value?: string };
type SetError = { field: string[]; message: string; code: string; elementIndex: number | null };

const MAX_PER_CALL = 25;
const COST = 10;

export function metafieldsApi(msw: typeof Msw, options: SyncEmulatorOptions, bucket = costBucket()) {
  const { delay, HttpResponse } = msw;
  const definitions = new Map<string, Definition>(); // `${shop}|${ownerType}|${namespace}|${key}`
  const values = new Map<string, Map<string, string>>(); // shop → `${ownerId}|${namespace}.${key}` → value
  const throttledOnce = new Set<string>();
  let calls = 0;

  const valuesOf = (shop: string) => {
    let held = values.get(shop);
    if (!held) values.set(shop, (held = new Map()));
    return held;
  };

  async function faultAnswer(shop: string, field: string) {
    const fault = syncFaults(options).metafields ?? null;
    // throttledOnce: the first call of each operation per shop (a definition, a write, a delete).
    const onceKey = `${shop}|${field}`;
    if (fault !== "throttledOnce") throttledOnce.delete(onceKey);
    if (fault === "hang") await delay("infinite");
    if (fault === "serverError")
      return { response: HttpResponse.json({ errors: "Internal Server Error" }, { status: 500 }), fault };
    const once = fault === "throttledOnce" && !throttledOnce.has(onceKey);
    if (once) throttledOnce.add(onceKey);
    const cost = bucket.spend(shop, COST, fault === "throttled" || once);
    if (cost.throttled) {
      appendLog(options, "metafields.jsonl", {
        shop,
        field,
        call: ++calls,
        outcome: "throttled",
        fault,
        at: new Date().toISOString(),
      });
      return { response: HttpResponse.json({ errors: THROTTLED_ERRORS, extensions: cost.extensions }), fault };
    }
    return { extensions: cost.extensions, fault };
  }

  function validate(shop: string, inputs: Input[]): SetError[] {
    const errors: SetError[] = [];
    inputs.forEach((m, i) => {
      const err = (field: string, code: string, message: string) =>
        errors.push({ field: ["metafields", String(i), field], code, message, elementIndex: i });
      if (!m.ownerId || !/^gid:\/\/shopify\/Customer\/\d+$/.test(m.ownerId)) err("ownerId", "INVALID", "Owner does not exist");
      if (!m.namespace || !m.key) err("key", "BLANK", "Key can't be blank");
      if (m.value === undefined || m.value === "") err("value", "BLANK", "Value can't be blank");
      const def = definitions.get(`${shop}|CUSTOMER|${m.namespace}|${m.key}`);
      if (def && m.type && def.type !== m.type)
        err("type", "INVALID_TYPE", `Type must be ${def.type} to match the metafield definition`);
      if ((m.type ?? def?.type) === "number_integer" && !/^-?\d+$/.test(String(m.value ?? "")))
        err("value", "INVALID_VALUE", "Value must be an integer.");
    });
    return errors;
  }

  return {
    /** The answer to a metafield operation, or undefined when the query is none of ours. */
    async answer(shop: string, query: string, variables: Record<string, unknown>): Promise<Response | undefined> {
      if (query.includes("metafieldDefinitionCreate(")) {
        const gate = await faultAnswer(shop, "metafieldDefinitionCreate");
        if (gate.response) return gate.response;
        const def = (variables.definition ?? {}) as Definition & { access?: { storefront?: string } };
        const id = `${shop}|${def.ownerType}|${def.namespace}|${def.key}`;
        const userErrors: Array<{ field: string[]; message: string; code: string }> = [];
        if (!def.namespace || !def.key || !def.type || !def.ownerType)
          userErrors.push({ field: ["definition"], message: "Definition is incomplete", code: "BLANK" });
        if (def.access?.storefront && !["PUBLIC_READ", "NONE"].includes(def.access.storefront))
          userErrors.push({
            field: ["definition", "access", "storefront"],
            message: "Storefront access is invalid",
            code: "INVALID",
          });
        if (definitions.has(id))
          userErrors.push({
            field: ["definition", "key"],
            message: `Key is in use for ${def.ownerType} metafields on the '${def.namespace}' namespace.`,
            code: "TAKEN",
          });
        if (!userErrors.length) definitions.set(id, def);
        appendLog(options, "metafield-definitions.jsonl", { shop, definition: def, userErrors, at: new Date().toISOString() });
        return HttpResponse.json({
          data: {
            metafieldDefinitionCreate: {
              createdDefinition: userErrors.length
                ? null
                : { id: `gid://shopify/MetafieldDefinition/${definitions.size}`, namespace: def.namespace, key: def.key },
              userErrors,
            },
          },
          extensions: gate.extensions,
        });
      }
      if (query.includes("metafieldsSet(")) {
        const inputs = (variables.metafields ?? []) as Input[];
        if (inputs.length > MAX_PER_CALL) {
          return HttpResponse.json({
            errors: [
              {
                message: `The input array size of ${inputs.length} is greater than the maximum allowed of ${MAX_PER_CALL}.`,
                extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
              },
            ],
          });
        }
        const gate = await faultAnswer(shop, "metafieldsSet");
        if (gate.response) return gate.response;
        const userErrors = validate(shop, inputs);
        if (gate.fault === "userErrors" && inputs.length)
          userErrors.push({
            field: ["metafields", "0", "value"],
            code: "INVALID_VALUE",
            message: "Value is invalid",
            elementIndex: 0,
          });
        const call = ++calls;
        if (userErrors.length) {
          // Atomic: nothing is written when any element is refused.
          appendLog(options, "metafields.jsonl", {
            shop,
            field: "metafieldsSet",
            call,
            outcome: "userErrors",
            userErrors,
            metafields: inputs,
            at: new Date().toISOString(),
          });
          return HttpResponse.json({ data: { metafieldsSet: { metafields: null, userErrors } }, extensions: gate.extensions });
        }
        const held = valuesOf(shop);
        for (const m of inputs) held.set(`${m.ownerId}|${m.namespace}.${m.key}`, String(m.value));
        appendLog(options, "metafields.jsonl", {
          shop,
          field: "metafieldsSet",
          call,
          outcome: "ok",
          metafields: inputs,
          at: new Date().toISOString(),
        });
        return HttpResponse.json({
          data: {
            metafieldsSet: {
              metafields: inputs.map((m) => ({ key: m.key, namespace: m.namespace, ownerId: m.ownerId })),
              userErrors: [],
            },
          },
          extensions: gate.extensions,
        });
      }
      if (query.includes("metafieldsDelete(")) {
        const gate = await faultAnswer(shop, "metafieldsDelete");
        if (gate.response) return gate.response;
        const inputs = (variables.metafields ?? []) as Input[];
        const held = valuesOf(shop);
        const deleted = inputs.map((m) =>
          held.delete(`${m.ownerId}|${m.namespace}.${m.key}`) ? { key: m.key, namespace: m.namespace, ownerId: m.ownerId } : null,
        );
        appendLog(options, "metafields.jsonl", {
          shop,
          field: "metafieldsDelete",
          call: ++calls,
          outcome: "ok",
          metafields: inputs,
          at: new Date().toISOString(),
        });
        return HttpResponse.json({
          data: { metafieldsDelete: { deletedMetafields: deleted, userErrors: [] } },
          extensions: gate.extensions,
        });
      }
      return undefined;
    },
  };
}
