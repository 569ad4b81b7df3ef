// The demo shop's present: new orders, refunds and cancellations delivered to the app's own
// /webhooks/* endpoints as Shopify delivers them (REST payloads, HMAC-SHA256 of the raw body with
// the app's secret, base64), a few per second, so the dashboard's numbers move while you look.
import { createHmac, randomUUID } from "node:crypto";
import { customerName, random } from "./history";

export type LiveCounts = {
  orders: number;
  newCustomers: number;
  referred: number;
  refunds: number;
  cancellations: number;
  refused: number;
};

type Sent = { id: number; customerId: number; cents: number };

export function startLiveOrders(options: {
  baseUrl: string;
  shop: string;
  secret: string;
  perSecond: number;
  customerIds: number[];
  /** Members' referral codes: some new customers arrive through a friend's link (the cart attribute). */
  referralCodes?: string[];
  onTick: (counts: LiveCounts) => void;
}) {
  const rand = random(Date.now() % 2 ** 31);
  const counts: LiveCounts = { orders: 0, newCustomers: 0, referred: 0, refunds: 0, cancellations: 0, refused: 0 };
  const codes = options.referralCodes ?? [];
  const recent: Sent[] = [];
  const customers = [...options.customerIds];
  // Ids above anything in the history, unique across runs: milliseconds since 1970 × 1000 + a counter.
  let counter = 0;
  const newId = () => Date.now() * 1000 + (counter++ % 1000);

  async function deliver(topic: string, payload: unknown) {
    const body = JSON.stringify(payload);
    const response = await fetch(`${options.baseUrl}/webhooks/${topic}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": createHmac("sha256", options.secret).update(body, "utf8").digest("base64"),
        "X-Shopify-Shop-Domain": options.shop,
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Webhook-Id": randomUUID(),
        "X-Shopify-Event-Id": randomUUID(),
        "X-Shopify-Triggered-At": new Date().toISOString(),
      },
      body,
    });
    await response.arrayBuffer();
    if (response.status !== 200) counts.refused++;
  }

  const customerPayload = (id: number) => {
    const name = customerName(id);
    return {
      id,
      email: name.email,
      first_name: name.firstName,
      last_name: name.lastName,
      admin_graphql_api_id: `gid://shopify/Customer/${id}`,
    };
  };

  async function order() {
    let customerId: number;
    let referral: string | null = null;
    if (rand() < 0.2) {
      customerId = newId();
      // Half the newcomers came through a member's link: the widget put the code on their cart.
      if (codes.length > 0 && rand() < 0.5) referral = codes[Math.floor(rand() * codes.length)];
      customers.push(customerId);
      const now = new Date().toISOString();
      await deliver("customers/create", { ...customerPayload(customerId), created_at: now, updated_at: now, state: "enabled" });
      counts.newCustomers++;
    } else {
      // Earlier customers more often: they are the regulars.
      customerId = customers[Math.floor(customers.length * rand() ** 1.5)];
    }
    const id = newId();
    const cents = Math.max(
      500,
      Math.round(Math.exp(Math.log(55) + 0.45 * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())) * 100),
    );
    const now = new Date().toISOString();
    const amount = (cents / 100).toFixed(2);
    const money = (value: string) => ({
      shop_money: { amount: value, currency_code: "USD" },
      presentment_money: { amount: value, currency_code: "USD" },
    });
    const total = ((cents + 599) / 100).toFixed(2);
    const payload = {
      id,
      admin_graphql_api_id: `gid://shopify/Order/${id}`,
      name: `#${id % 1_000_000}`,
      email: customerName(customerId).email,
      created_at: now,
      processed_at: now,
      updated_at: now,
      cancelled_at: null,
      cancel_reason: null,
      currency: "USD",
      presentment_currency: "USD",
      financial_status: "paid",
      test: false,
      subtotal_price: amount,
      subtotal_price_set: money(amount),
      current_subtotal_price: amount,
      total_price: total,
      total_price_set: money(total),
      total_tax: "0.00",
      total_discounts: "0.00",
      discount_codes: [],
      note_attributes: referral ? [{ name: "regulars_referral", value: referral }] : [],
      customer: customerPayload(customerId),
      line_items: [{ id: newId(), title: "Coffee beans", quantity: 1, price: amount, sku: "BEANS-1" }],
      refunds: [],
    };
    await deliver("orders/paid", payload);
    counts.orders++;
    if (referral) counts.referred++;
    recent.push({ id, customerId, cents });
    if (recent.length > 200) recent.shift();
    return payload;
  }

  async function refund() {
    const target = recent.splice(Math.floor(rand() * recent.length), 1)[0];
    if (!target) return;
    const cents = Math.max(100, Math.round(target.cents * (0.2 + 0.6 * rand())));
    const amount = (cents / 100).toFixed(2);
    const now = new Date().toISOString();
    await deliver("refunds/create", {
      id: newId(),
      order_id: target.id,
      created_at: now,
      processed_at: now,
      note: "Customer return",
      restock: true,
      refund_line_items: [
        {
          id: newId(),
          quantity: 1,
          line_item_id: newId(),
          subtotal: cents / 100,
          subtotal_set: { shop_money: { amount, currency_code: "USD" }, presentment_money: { amount, currency_code: "USD" } },
        },
      ],
      transactions: [{ id: newId(), kind: "refund", status: "success", amount, currency: "USD" }],
    });
    counts.refunds++;
  }

  async function cancel() {
    const placed = await order();
    const now = new Date().toISOString();
    await deliver("orders/cancelled", {
      ...placed,
      cancelled_at: now,
      cancel_reason: "customer",
      financial_status: "voided",
      updated_at: now,
    });
    counts.cancellations++;
  }

  let stopped = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || stopped) return;
    busy = true;
    const roll = rand();
    const step = roll < 0.06 && recent.length > 5 ? refund() : roll < 0.08 ? cancel() : order();
    step
      .catch(() => {
        counts.refused++;
      })
      .finally(() => {
        busy = false;
        options.onTick(counts);
      });
  }, 1000 / options.perSecond);
  return {
    counts,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
