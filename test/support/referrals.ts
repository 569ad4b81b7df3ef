// Referral tests' shared setup: the webhook routes' actions called in-process with deliveries
// signed as Shopify signs them, the processor, and readers of what the ledger and Referral rows hold.
import { afterAll, beforeAll, expect } from "vitest";
import type { ActionFunctionArgs } from "@remix-run/node";
import { db } from "../../app/db.server";
import { ledgerBalance } from "../../app/loyalty/ledger.server";
import { DEFAULT_PROGRAM, type Program } from "../../app/loyalty/program";
import { saveSettings } from "../../app/loyalty/settings.server";
import { memberView } from "../../app/loyalty/widget-view.server";
import { drainInbox } from "../../app/webhooks/processor.server";
import { useFreshDatabase } from "./database";
import { TEST_API_KEY, TEST_SECRET } from "./server";
import { customerPayload, newId, orderPayload, webhookRequest } from "./shopify";

const APP_URL = "https://regulars.example";
export type Topic =
  "orders/paid" | "orders/cancelled" | "refunds/create" | "customers/create" | "customers/redact" | "customers/data_request";
const actions = {} as Record<Topic, (args: ActionFunctionArgs) => Promise<Response>>;

/** Call at the top of a test file: a fresh database and the routes, loaded after the test credentials are set. */
export function useReferralTestApp() {
  beforeAll(async () => {
    Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: APP_URL });
    await useFreshDatabase();
    actions["orders/paid"] = (await import("../../app/routes/webhooks.orders.paid")).action;
    actions["orders/cancelled"] = (await import("../../app/routes/webhooks.orders.cancelled")).action;
    actions["refunds/create"] = (await import("../../app/routes/webhooks.refunds.create")).action;
    actions["customers/create"] = (await import("../../app/routes/webhooks.customers.create")).action;
    actions["customers/redact"] = (await import("../../app/routes/webhooks.customers.redact")).action;
    actions["customers/data_request"] = (await import("../../app/routes/webhooks.customers.data_request")).action;
  });
  afterAll(() => db.$disconnect());
}

export const REFERRALS: Program = {
  ...DEFAULT_PROGRAM,
  referralBonusEnabled: true,
  referralBonusPoints: 200,
  referralWelcomePoints: 100,
  referralMonthlyCap: 10,
  referralReturnWindowDays: 30,
};

let seq = 0;
/** A shop of its own for each test, with these settings. */
export async function newShop(program: Partial<Program> = {}) {
  const shop = `referrals-${++seq}.myshopify.com`;
  await saveSettings(shop, { ...REFERRALS, ...program });
  return shop;
}

export async function deliver(shop: string, topic: Topic, payload: unknown, eventId?: string) {
  const response = await actions[topic]({
    request: webhookRequest(APP_URL, topic, payload, { shop, eventId }),
    params: {},
    context: {},
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** Everything delivered so far, applied. */
export const processed = () => drainInbox();

/** A member who signed up (customers/create) and has not ordered: their id and code. */
export async function member(shop: string, email = `m${newId()}@example.com`) {
  const id = newId();
  await deliver(shop, "customers/create", customerPayload(id, { email }));
  await processed();
  const view = await memberView(shop, String(id));
  return { id, email, code: view.referral!.code };
}

type Buyer = { email?: string; phone?: string | null; address?: string; zip?: string };
/** An orders/paid body of `customerId`, with the referral cart attribute when `code` is given. */
export function paidOrder(
  customerId: number,
  o: Buyer & { code?: string; subtotal?: string; processedAt?: string; discountCodes?: string[]; cancelledAt?: string } = {},
) {
  const base = orderPayload({
    customerId,
    subtotal: o.subtotal ?? "50.00",
    processedAt: o.processedAt,
    discountCodes: o.discountCodes,
    cancelledAt: o.cancelledAt,
  });
  const email = o.email ?? `buyer-${customerId}@example.com`;
  return {
    ...base,
    email,
    phone: o.phone ?? null,
    customer: { ...base.customer, id: customerId, email },
    note_attributes: o.code ? [{ name: "regulars_referral", value: o.code }] : [],
    shipping_address: {
      first_name: "Sam",
      address1: o.address ?? `${customerId} Main Street`,
      address2: null,
      city: "Springfield",
      zip: o.zip ?? "12345",
      country_code: "US",
      phone: null,
    },
  };
}

export async function customerId(shop: string, shopifyId: number) {
  return (await db.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId: String(shopifyId) } } })).id;
}

/** The customer's balance, checked against their ledger. */
export async function balance(shop: string, shopifyId: number) {
  const c = await db.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId: String(shopifyId) } } });
  expect(c.pointsBalance).toBe(await ledgerBalance(db, c.id));
  return c.pointsBalance;
}

/** The customer's referral ledger rows as `[kind] delta key-tail`: rewards are `referral` rows, take-backs `refund` or `cancel`. */
export async function referralRows(shop: string, shopifyId: number) {
  const rows = await db.ledgerEntry.findMany({
    where: { shop, idempotencyKey: { startsWith: "referral:" }, customerId: await customerId(shop, shopifyId) },
    orderBy: { id: "asc" },
  });
  return rows.map(
    (r) =>
      `${r.kind === "referral" ? "" : `${r.kind} `}${r.delta} ${r.idempotencyKey.replace(/^referral:\d+:/, "")}${r.shortfall ? ` short ${r.shortfall}` : ""}`,
  );
}

export async function referralOf(shop: string, orderId: number) {
  return db.referral.findUnique({ where: { shop_orderShopifyId: { shop, orderShopifyId: String(orderId) } } });
}
