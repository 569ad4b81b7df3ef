-- Per customer, the counted orders packed for the dashboard (ADR 0036), and the customers whose
-- packed orders must be rebuilt. WITHOUT ROWID: rows are stored in (shop, customerId) order, so a
-- shop's rows are read in one range of the table itself.

-- CreateTable
CREATE TABLE "CustomerOrderHistory" (
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "orders" TEXT NOT NULL,

    PRIMARY KEY ("shop", "customerId")
) WITHOUT ROWID;

-- CreateTable
CREATE TABLE "CustomerOrderHistoryStale" (
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,

    PRIMARY KEY ("shop", "customerId")
) WITHOUT ROWID;

-- Any write to an order that can change what it counts for marks its customer stale, whoever
-- writes it (webhooks, the history import, reconciliation, privacy requests, tests).
CREATE TRIGGER "Order_history_insert" AFTER INSERT ON "Order"
WHEN NEW."customerId" IS NOT NULL
BEGIN
  INSERT INTO "CustomerOrderHistoryStale" ("shop", "customerId") VALUES (NEW."shop", NEW."customerId")
  ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER "Order_history_update" AFTER UPDATE ON "Order"
WHEN OLD."customerId" IS NOT NEW."customerId" OR OLD."shop" IS NOT NEW."shop"
  OR OLD."processedAt" IS NOT NEW."processedAt" OR OLD."test" IS NOT NEW."test"
  OR OLD."cancelledAt" IS NOT NEW."cancelledAt" OR OLD."subtotalCents" IS NOT NEW."subtotalCents"
  OR OLD."refundedSubtotalCents" IS NOT NEW."refundedSubtotalCents"
BEGIN
  INSERT INTO "CustomerOrderHistoryStale" ("shop", "customerId")
  SELECT NEW."shop", NEW."customerId" WHERE NEW."customerId" IS NOT NULL
  ON CONFLICT DO NOTHING;
  INSERT INTO "CustomerOrderHistoryStale" ("shop", "customerId")
  SELECT OLD."shop", OLD."customerId" WHERE OLD."customerId" IS NOT NULL
  ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER "Order_history_delete" AFTER DELETE ON "Order"
WHEN OLD."customerId" IS NOT NULL
BEGIN
  INSERT INTO "CustomerOrderHistoryStale" ("shop", "customerId") VALUES (OLD."shop", OLD."customerId")
  ON CONFLICT DO NOTHING;
END;

-- Orders already stored: every customer with one is stale, so the first report builds the rows.
INSERT INTO "CustomerOrderHistoryStale" ("shop", "customerId")
SELECT DISTINCT "shop", "customerId" FROM "Order" WHERE "customerId" IS NOT NULL;

-- The dashboard no longer scans orders by time (ADR 0036): the range index only cost every order write.
DROP INDEX "Order_analytics_range_idx";
