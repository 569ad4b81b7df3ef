// The demo shop's past: 18 months of orders for a few thousand customers, drawn from a seeded
// random process, written in the bulk-export format (one JSON object per line) that the emulated
// Shopify serves when the app imports the shop's history on install.
//
// Customers arrive over the period (more of them lately: the shop grows) and then behave as the
// BG/NBD story says: each buys at their own rate λ ~ Gamma(r, α) per day while active, and after
// each purchase stops for good with probability p ~ Beta(a, b). Purchases are thinned by a
// seasonal curve (the November–December peak, a summer dip), so the dashboard has a shape.
// Order values follow a per-customer typical spend (log-normal) with noise. Some orders are
// refunded in part or whole, a few cancelled, some placed by guests, a few are test orders.
import { bulkCustomer, bulkOrder, jsonl } from "../../app/shopify/emulator/bulk-operations";

export type HistoryOptions = { customers: number; seed: number; end: Date; months?: number };
export type History = { orders: string; customers: string; orderCount: number; customerIds: number[] };

export const FIRST_CUSTOMER_ID = 8_000_000_001;
const FIRST_ORDER_ID = 6_000_000_001;
const FIRST_REFUND_ID = 9_000_000_001;
const DAY = 86_400_000;

const FIRST = [
  "Ava",
  "Ben",
  "Chloe",
  "Dev",
  "Emma",
  "Farid",
  "Grace",
  "Hiro",
  "Isla",
  "Jonas",
  "Kira",
  "Leo",
  "Maya",
  "Noah",
  "Olivia",
  "Priya",
  "Quinn",
  "Rosa",
  "Sam",
  "Tara",
  "Uma",
  "Victor",
  "Wen",
  "Yara",
  "Zoe",
];
const LAST = [
  "Abbott",
  "Baker",
  "Chen",
  "Dubois",
  "Evans",
  "Fischer",
  "Garcia",
  "Hughes",
  "Ivanova",
  "Jensen",
  "Khan",
  "Lopez",
  "Meyer",
  "Nakamura",
  "Okafor",
  "Patel",
  "Rossi",
  "Silva",
  "Tanaka",
  "Weber",
];

/** mulberry32: small, fast, seedable; uniform on [0, 1). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const normal = (rand: () => number) => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

function gamma(rand: () => number, shape: number, rate: number): number {
  if (shape < 1) return gamma(rand, shape + 1, rate) * Math.pow(1 - rand(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(rand);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    if (Math.log(1 - rand()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

const beta = (rand: () => number, a: number, b: number) => {
  const x = gamma(rand, a, 1);
  return x / (x + gamma(rand, b, 1));
};

/** Relative demand on a day (peak ≈ 1.9 in late November, dip ≈ 0.8 in July); at most SEASON_MAX. */
export function season(time: number): number {
  const day = (time - Date.UTC(new Date(time).getUTCFullYear(), 0, 1)) / DAY;
  const peak = 0.9 * Math.exp(-(((day - 332) / 18) ** 2));
  return 1 + peak - 0.2 * Math.exp(-(((day - 195) / 30) ** 2));
}
const SEASON_MAX = 1.9;

const money = (cents: number) => (cents / 100).toFixed(2);
const iso = (time: number) => new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z");

/** A customer's name and e-mail, the same in the history and in the live orders. */
export function customerName(id: number) {
  const first = FIRST[id % FIRST.length];
  const last = LAST[Math.floor(id / FIRST.length) % LAST.length];
  return { firstName: first, lastName: last, email: `${first}.${last}.${id % 100_000}@example.com`.toLowerCase() };
}

type Draft = { time: number; customerId: number | null; cents: number };

export function generateHistory(options: HistoryOptions, onProgress?: (customersDone: number) => void): History {
  const rand = random(options.seed);
  const end = options.end.getTime();
  const start = end - (options.months ?? 18) * 30.4 * DAY;
  const drafts: Draft[] = [];
  const customerIds: number[] = [];

  for (let i = 0; i < options.customers; i++) {
    const customerId = FIRST_CUSTOMER_ID + i;
    customerIds.push(customerId);
    const lambda = gamma(rand, 0.9, 45); // purchases per active day: mean 1 per 50 days
    const dropout = beta(rand, 1, 3.5); // chance to stop after each purchase: mean 22 %
    const typical = Math.exp(Math.log(55) + 0.45 * normal(rand)); // typical order value
    // First purchase: later arrivals likelier (growth), accepted by season.
    let time: number;
    do time = start + (end - start) * Math.sqrt(rand());
    while (rand() * SEASON_MAX > season(time));
    for (;;) {
      const cents = Math.max(500, Math.round(typical * Math.exp(0.3 * normal(rand)) * 100));
      drafts.push({ time, customerId, cents });
      if (rand() < dropout) break;
      // Next purchase of a Poisson(λ) process thinned by the season.
      do time += (-Math.log(1 - rand()) / lambda) * DAY;
      while (time < end && rand() * SEASON_MAX > season(time));
      if (time >= end) break;
    }
    if (onProgress && i % 500 === 499) onProgress(i + 1);
  }
  // Guest checkouts: about one order in ten.
  const guests = Math.round(drafts.length / 9);
  for (let g = 0; g < guests; g++) {
    let time: number;
    do time = start + (end - start) * rand();
    while (rand() * SEASON_MAX > season(time));
    drafts.push({ time, customerId: null, cents: Math.max(500, Math.round(Math.exp(Math.log(45) + 0.5 * normal(rand)) * 100)) });
  }
  drafts.sort((a, b) => a.time - b.time);

  let refundId = FIRST_REFUND_ID;
  const orders = drafts.map((d, k) => {
    const roll = rand();
    const test = roll < 0.003;
    const cancelled = !test && roll < 0.023;
    const refunds: { id: number; subtotal: string; createdAt: string }[] = [];
    let status = "PAID";
    if (cancelled) {
      status = "VOIDED";
    } else if (!test && roll < 0.085) {
      const at = d.time + (3 + rand() * 25) * DAY;
      if (at < end) {
        const whole = rand() < 0.4;
        const cents = whole ? d.cents : Math.max(100, Math.round(d.cents * (0.2 + 0.5 * rand())));
        refunds.push({ id: refundId++, subtotal: money(cents), createdAt: iso(at) });
        status = whole ? "REFUNDED" : "PARTIALLY_REFUNDED";
      }
    }
    const order = bulkOrder({
      id: FIRST_ORDER_ID + k,
      customerId: d.customerId,
      subtotal: money(d.cents),
      total: money(d.cents + 599),
      test,
      processedAt: iso(d.time),
      cancelledAt: cancelled ? iso(Math.min(end - 60_000, d.time + 0.5 * DAY)) : null,
      financialStatus: status,
      refunds,
    });
    if (order.customer) {
      const name = customerName(d.customerId!);
      Object.assign(order.customer, {
        firstName: name.firstName,
        lastName: name.lastName,
        defaultEmailAddress: { emailAddress: name.email },
      });
    }
    return order;
  });
  // About a third of the shop's customers gave Shopify their birth date (the `facts.birth_date` metafield).
  const birthDate = (id: number) =>
    id % 3 === 0
      ? `${1960 + (id % 41)}-${String(1 + (id % 12)).padStart(2, "0")}-${String(1 + ((id * 7) % 28)).padStart(2, "0")}`
      : null;
  const customers = customerIds.map((id) => bulkCustomer(id, { ...customerName(id), birthDate: birthDate(id) }));
  return { orders: jsonl(orders), customers: jsonl(customers), orderCount: orders.length, customerIds };
}
