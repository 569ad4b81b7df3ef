// Works through the inbox: consecutive order events of a shop (paid, refunds, cancellations) share
// one transaction, the paid ones set-based statements; anything else, or a batch that fails, is
// processed one event per transaction.
// A failed event stays in the inbox with its error and is retried with backoff.
import { db, type Tx } from "../db.server";
import { lockShopLedger } from "../db/locks.server";
import { log } from "../log.server";
import { onCustomerCreated, upsertCustomers } from "../loyalty/customers.server";
import { applyCancellation, applyPaidOrders, applyRefund } from "../loyalty/orders.server";
import { loadProgram } from "../loyalty/program.server";
import { exportCustomerData, redactCustomer, redactShop } from "../privacy/gdpr.server";
import { claim, markFailed, markProcessed, type ClaimedEvent } from "./inbox.server";
import { TOPICS, type OrderRecord, type Topic } from "./payloads";
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
      return void (await upsertCustomers(tx, shop, [TOPICS.CUSTOMERS_UPDATE.parse(payload)]));
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

async function processEach(events: ClaimedEvent[]) {
  for (const event of events) {
    try {
      await db.$transaction(async (tx) => {
        await lockShopLedger(tx, event.shop);
        await processOne(tx, event);
        crashIfAsked();
        await markProcessed(tx, [event.id]);
      }, { timeout: 30_000 });
    } catch (error) {
      log.error("webhook.processing_failed", {
        shop: event.shop, topic: event.topic, eventId: event.eventId, attempts: event.attempts, error: String(error),
      });
      await markFailed(event, error);
    }
  }
}

/** Topics that only merge an order's state: their order of application does not matter (ADR 0002). */
const ORDER_TOPICS = new Set<string>(["ORDERS_PAID", "REFUNDS_CREATE", "ORDERS_CANCELLED"]);

/**
 * One transaction for a run of one shop's order events: the paid ones together (set-based), then
 * refunds and cancellations, which then find their orders. Per-event fallback on failure.
 */
async function processOrderRun(events: ClaimedEvent[]) {
  const { shop } = events[0];
  try {
    const paid = events.filter((e) => e.topic === "ORDERS_PAID");
    const orders: OrderRecord[] = paid.map((e) => TOPICS.ORDERS_PAID.parse(body(e)));
    await db.$transaction(async (tx) => {
      await lockShopLedger(tx, shop);
      if (orders.length) await applyPaidOrders(tx, shop, await loadProgram(tx, shop), orders);
      for (const event of events) if (event.topic !== "ORDERS_PAID") await processOne(tx, event);
      crashIfAsked();
      await markProcessed(tx, events.map((e) => e.id));
    }, { timeout: 30_000 });
  } catch (error) {
    log.warn("webhook.batch_failed", { shop, events: events.length, error: String(error) });
    await processEach(events);
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
