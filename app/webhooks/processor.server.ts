// Works through the inbox: consecutive orders/paid events share one transaction and set-based
// statements; anything else, or a batch that fails, is processed one event per transaction.
// A failed event stays in the inbox with its error and is retried with backoff.
import { db, type Tx } from "../db.server";
import { databaseUnavailable } from "../db/unavailable.server";
import { log } from "../log.server";
import { onCustomerCreated, onCustomerUpdated } from "../loyalty/membership.server";
import { applyCancellation, applyPaidOrders, applyRefund } from "../loyalty/orders.server";
import { loadProgram } from "../loyalty/program.server";
import { exportCustomerData, redactCustomer, redactShop } from "../privacy/gdpr.server";
import { buryCrashedEvents, claim, markFailed, markProcessed, type ClaimedEvent } from "./inbox.server";
import type { OrderRecord } from "../loyalty/records";
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

async function processOne(tx: Tx, event: ClaimedEvent) {
  const payload = body(event);
  const { shop } = event;
  switch (event.topic as Topic) {
    case "ORDERS_PAID":
      return applyPaidOrders(tx, shop, await loadProgram(tx, shop), [TOPICS.ORDERS_PAID.parse(payload)]);
    case "ORDERS_CANCELLED":
      return applyCancellation(tx, shop, await loadProgram(tx, shop), TOPICS.ORDERS_CANCELLED.parse(payload));
    case "REFUNDS_CREATE":
      return applyRefund(tx, shop, await loadProgram(tx, shop), TOPICS.REFUNDS_CREATE.parse(payload));
    case "CUSTOMERS_CREATE":
      return onCustomerCreated(tx, shop, await loadProgram(tx, shop), TOPICS.CUSTOMERS_CREATE.parse(payload));
    case "CUSTOMERS_UPDATE":
      return onCustomerUpdated(tx, shop, TOPICS.CUSTOMERS_UPDATE.parse(payload));
    case "APP_UNINSTALLED":
      await tx.shop.updateMany({ where: { domain: shop }, data: { uninstalledAt: new Date() } });
      await tx.session.deleteMany({ where: { shop } });
      return;
    case "CUSTOMERS_DATA_REQUEST": {
      const request = TOPICS.CUSTOMERS_DATA_REQUEST.parse(payload);
      await exportCustomerData(tx, shop, {
        customerShopifyId: request.customer.id,
        requestId: request.data_request?.id ?? null,
        orderShopifyIds: request.orders_requested,
      });
      return;
    }
    case "CUSTOMERS_REDACT": {
      const { customer } = TOPICS.CUSTOMERS_REDACT.parse(payload);
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
      shop: event.shop, topic: event.topic, eventId: event.eventId, attempt: event.attempts, status: "processed",
      latencyMs, lagMs: done - event.receivedAt.getTime(),
    });
  }
}

async function processEach(events: ClaimedEvent[]) {
  for (const event of events) {
    const started = performance.now();
    try {
      await db.$transaction(async (tx) => {
        await processOne(tx, event);
        crashIfAsked();
        await markProcessed(tx, [event.id]);
      }, { timeout: 30_000 });
      logProcessed([event], started);
    } catch (error) {
      const unavailable = databaseUnavailable(error);
      log.error("webhook.processing_failed", {
        shop: event.shop, topic: event.topic, eventId: event.eventId, attempts: event.attempts, status: "failed",
        latencyMs: Math.round(performance.now() - started), ...(unavailable ? { databaseUnavailable: unavailable } : {}),
        error: String(error),
      });
      await markFailed(event, error);
    }
  }
}

/** One transaction for a run of orders/paid events of one shop; per-event fallback on failure. */
async function processPaidRun(events: ClaimedEvent[]) {
  const started = performance.now();
  try {
    const orders: OrderRecord[] = events.map((e) => TOPICS.ORDERS_PAID.parse(body(e)));
    await db.$transaction(async (tx) => {
      await applyPaidOrders(tx, events[0].shop, await loadProgram(tx, events[0].shop), orders);
      crashIfAsked();
      await markProcessed(tx, events.map((e) => e.id));
    }, { timeout: 30_000 });
    logProcessed(events, started);
  } catch (error) {
    log.warn("webhook.batch_failed", { shop: events[0].shop, events: events.length, error: String(error) });
    await processEach(events);
  }
}

export async function processBatch(events: ClaimedEvent[]) {
  let i = 0;
  while (i < events.length) {
    const first = events[i];
    let j = i + 1;
    if (first.topic === "ORDERS_PAID") {
      while (j < events.length && events[j].topic === "ORDERS_PAID" && events[j].shop === first.shop) j++;
      await processPaidRun(events.slice(i, j));
    } else {
      await processEach([first]);
    }
    i = j;
  }
}

/** Processes until nothing is due. Returns how many events it took. */
export async function drainInbox(): Promise<number> {
  await buryCrashedEvents();
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
