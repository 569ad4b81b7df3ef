// Works through the inbox: a run of consecutive order events of a shop is applied in two
// transactions (the paid ones with set-based statements, then refunds and cancellations); anything
// else, or a run that fails, is processed one event per transaction. Locks: ADR 0026.
// A failed event stays in the inbox with its error and is retried with backoff.
import { db, type Tx } from "../db.server";
import { databaseUnavailable } from "../db/unavailable.server";
import { withDirectSql } from "../db/direct-sql.server";
import { lockCustomersOf, lockOrders } from "../db/locks.server";
import { log } from "../log.server";
import { onCustomerCreated, onCustomerUpdated } from "../loyalty/membership.server";
import { applyCancellation, applyPaidOrders, applyRefund } from "../loyalty/orders.server";
import { loadProgram } from "../loyalty/program.server";
import { exportCustomerData, redactCustomer, redactShop } from "../privacy/gdpr.server";
import { claim, markFailed, markProcessed, type ClaimedEvent } from "./inbox.server";
import type { OrderRecord } from "../loyalty/records";
import type { z } from "zod/v4";
import { TOPICS, type Topic } from "./payloads";
import { config } from "../config.server";

const BATCH = 200;
const SWEEP_MS = 2000;
// Deliveries wake the processor after a short pause, so a burst is worked in a few large
// transactions rather than many small ones; the pause is the only delay a shopper sees.
const WAKE_DELAY_MS = 100;

function body(event: ClaimedEvent): unknown {
  if (event.payload === null) throw new Error("the event's body is no longer held (erased before it was processed)");
  return JSON.parse(event.payload);
}

/** The event's payload through its topic's schema: as the door parsed it when it was recorded, or parsed now. */
function parsedAs<T extends Topic>(event: ClaimedEvent, topic: T): z.output<(typeof TOPICS)[T]> {
  if (event.parsed !== undefined && event.topic === topic) return event.parsed as z.output<(typeof TOPICS)[T]>;
  return TOPICS[topic].parse(body(event)) as z.output<(typeof TOPICS)[T]>;
}

async function processOne(tx: Tx, event: ClaimedEvent) {
  const { shop } = event;
  switch (event.topic as Topic) {
    case "ORDERS_PAID":
      return applyPaidOrders(tx, shop, await loadProgram(tx, shop), [parsedAs(event, "ORDERS_PAID")]);
    case "ORDERS_CANCELLED":
      return applyCancellation(tx, shop, await loadProgram(tx, shop), parsedAs(event, "ORDERS_CANCELLED"));
    case "REFUNDS_CREATE":
      return applyRefund(tx, shop, await loadProgram(tx, shop), parsedAs(event, "REFUNDS_CREATE"));
    case "CUSTOMERS_CREATE":
      return onCustomerCreated(tx, shop, await loadProgram(tx, shop), parsedAs(event, "CUSTOMERS_CREATE"));
    case "CUSTOMERS_UPDATE":
      return onCustomerUpdated(tx, shop, parsedAs(event, "CUSTOMERS_UPDATE"));
    case "APP_UNINSTALLED":
      await tx.shop.updateMany({ where: { domain: shop }, data: { uninstalledAt: new Date() } });
      await tx.session.deleteMany({ where: { shop } });
      return;
    case "CUSTOMERS_DATA_REQUEST": {
      const request = parsedAs(event, "CUSTOMERS_DATA_REQUEST");
      await exportCustomerData(tx, shop, {
        customerShopifyId: request.customer.id,
        requestId: request.data_request?.id ?? null,
        orderShopifyIds: request.orders_requested,
      });
      return;
    }
    case "CUSTOMERS_REDACT": {
      const { customer } = parsedAs(event, "CUSTOMERS_REDACT");
      return redactCustomer(tx, shop, { shopifyId: customer.id, email: customer.email });
    }
    case "SHOP_REDACT":
      return redactShop(tx, shop);
    default:
      throw new Error(`no handler for topic ${event.topic}`);
  }
}

/**
 * Fault injection for the crash-recovery test: dies mid-transaction, after the ledger rows are
 * written and before the commit, exactly where a power cut would hurt most.
 */
function crashIfAsked() {
  if (config().REGULARS_FAULT_CRASH_BEFORE_COMMIT) process.exit(137);
}

/**
 * One line per processed event: which (shop, topic, event id, attempt), how long its transaction
 * took and how long after its delivery it took effect. Ids and timings only: no payload content.
 */
function logProcessed(events: ClaimedEvent[], started: number) {
  const done = Date.now();
  const latencyMs = Math.round(performance.now() - started);
  for (const event of events) {
    log.info("webhook.processed", {
      shop: event.shop,
      topic: event.topic,
      eventId: event.eventId,
      attempt: event.attempts,
      status: "processed",
      latencyMs,
      lagMs: done - event.receivedAt.getTime(),
    });
  }
}

async function processEach(events: ClaimedEvent[]) {
  for (const event of events) {
    const started = performance.now();
    try {
      await db.$transaction(
        (prismaTx) =>
          withDirectSql(prismaTx, async (tx) => {
            await lockOrders(tx, event.shop, orderOf(event));
            await processOne(tx, event);
            crashIfAsked();
            await markProcessed(tx, [event.id]);
          }),
        { timeout: 30_000 },
      );
      logProcessed([event], started);
    } catch (error) {
      const unavailable = databaseUnavailable(error);
      log.error("webhook.processing_failed", {
        shop: event.shop,
        topic: event.topic,
        eventId: event.eventId,
        attempts: event.attempts,
        status: "failed",
        latencyMs: Math.round(performance.now() - started),
        ...(unavailable ? { databaseUnavailable: unavailable } : {}),
        error: String(error),
      });
      await markFailed(event, error);
    }
  }
}

/** Topics that only merge an order's state: their order of application does not matter (ADR 0002). */
const ORDER_TOPICS = new Set<string>(["ORDERS_PAID", "REFUNDS_CREATE", "ORDERS_CANCELLED"]);

/**
 * A run of one shop's order events in two transactions: the paid ones set-based, then the
 * refunds and cancellations, which then find their orders. Per-event fallback on failure.
 *
 * Each transaction first takes the advisory locks of its orders (`lockOrders`), then its customer
 * rows in one order (by Shopify id), and touches no other customer row: two instances' runs can
 * then wait for each other but never in a circle.
 */
async function processOrderRun(events: ClaimedEvent[]) {
  const paid = events.filter((e) => e.topic === "ORDERS_PAID");
  const others = events.filter((e) => e.topic !== "ORDERS_PAID");
  if (paid.length) {
    // Read before the transaction opens: on SQLite it holds the one writer, and deliveries being
    // recorded wait for it, so only database work belongs inside. A body that cannot be read
    // fails the batch inside the transaction, as before, and each event is then tried alone.
    const orders = paidOrders(paid);
    await inOneTransaction(
      paid,
      (tx) => applyPaidRun(tx, paid[0].shop, orders),
      () => (orders instanceof Error ? [] : orders.map((o) => o.shopifyId)),
    );
  }
  if (others.length) await inOneTransaction(others, (tx) => applySettlements(tx, others));
}

async function inOneTransaction(
  events: ClaimedEvent[],
  apply: (tx: Tx) => Promise<void>,
  orderIds = () => events.flatMap(orderOf),
) {
  const { shop } = events[0];
  const started = performance.now();
  try {
    await db.$transaction(
      (prismaTx) =>
        withDirectSql(prismaTx, async (tx) => {
          await lockOrders(tx, shop, orderIds());
          await apply(tx);
          crashIfAsked();
          await markProcessed(
            tx,
            events.map((e) => e.id),
          );
        }),
      { timeout: 30_000 },
    );
    logProcessed(events, started);
  } catch (error) {
    log.warn("webhook.batch_failed", { shop, events: events.length, error: String(error) });
    await processEach(events);
  }
}

/** The paid orders of a run, parsed, or the first error reading one. */
function paidOrders(events: ClaimedEvent[]): OrderRecord[] | Error {
  try {
    // By customer (a stable sort, so a later delivery of one order stays later): the customers'
    // upsert, the batch's first statement on Customer, then locks their rows in that order.
    return events
      .map((e) => parsedAs(e, "ORDERS_PAID"))
      .sort((a, b) => (a.customer?.shopifyId ?? "").localeCompare(b.customer?.shopifyId ?? ""));
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

async function applyPaidRun(tx: Tx, shop: string, orders: OrderRecord[] | Error) {
  if (orders instanceof Error) throw orders;
  await applyPaidOrders(tx, shop, await loadProgram(tx, shop), orders);
}

async function applySettlements(tx: Tx, events: ClaimedEvent[]) {
  const { shop } = events[0];
  await lockCustomersOf(tx, shop, events.flatMap(orderOf));
  for (const event of events) await processOne(tx, event);
}

/** The order an order event is about (none for other topics, or a body that cannot be read). */
function orderOf(event: ClaimedEvent): string[] {
  if (!ORDER_TOPICS.has(event.topic) || event.payload === null) return [];
  try {
    const payload = JSON.parse(event.payload) as { id?: unknown; order_id?: unknown };
    const id = event.topic === "REFUNDS_CREATE" ? payload.order_id : payload.id;
    if (id === undefined || id === null) return [];
    // As the payload schemas store ids: digits without leading zeros.
    return [/^\d+$/.test(String(id)) ? String(Number(id)) : String(id)];
  } catch {
    return [];
  }
}

export async function processBatch(events: ClaimedEvent[]) {
  let i = 0;
  while (i < events.length) {
    const first = events[i];
    let j = i + 1;
    if (ORDER_TOPICS.has(first.topic)) {
      while (j < events.length && ORDER_TOPICS.has(events[j].topic) && events[j].shop === first.shop) j++;
      await processOrderRun(events.slice(i, j));
    } else {
      await processEach([first]);
    }
    i = j;
  }
}

/** Processes until nothing is due. Returns how many events it took. */
export async function drainInbox(): Promise<number> {
  let total = 0;
  for (;;) {
    const events = await claim(BATCH);
    if (events.length === 0) return total;
    total += events.length;
    await processBatch(events);
  }
}

/**
 * Runs the processor: `wake()` after deliveries are recorded (it waits a moment so a burst is
 * worked in a few large transactions), and a sweep picks up retries and a crashed run's events.
 */
export function startProcessor() {
  let running = false;
  let again = false;
  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    void (async () => {
      do {
        again = false;
        try {
          await drainInbox();
        } catch (error) {
          log.error("webhook.processor_error", { error: String(error) });
        }
      } while (again);
      running = false;
    })();
  };
  let scheduled: NodeJS.Timeout | null = null;
  const wake = () => {
    scheduled ??= setTimeout(() => {
      scheduled = null;
      run();
    }, WAKE_DELAY_MS);
  };
  const sweep = setInterval(run, SWEEP_MS);
  sweep.unref();
  run();
  return {
    wake,
    stop: () => {
      clearInterval(sweep);
      if (scheduled) clearTimeout(scheduled);
    },
  };
}
