-- Per customer, the counted orders packed for the dashboard (ADR 0036), and the customers whose
-- packed orders must be rebuilt.

-- CreateTable
CREATE TABLE "CustomerOrderHistory" (
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "orders" TEXT NOT NULL,

    CONSTRAINT "CustomerOrderHistory_pkey" PRIMARY KEY ("shop","customerId")
);

-- CreateTable
CREATE TABLE "CustomerOrderHistoryStale" (
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,

    CONSTRAINT "CustomerOrderHistoryStale_pkey" PRIMARY KEY ("shop","customerId")
);

-- Any write to an order that can change what it counts for marks its customer stale, whoever
-- writes it. Statement-level triggers with transition tables: a 20,000-row import statement marks
-- its customers in one set-based insert, not 20,000 function calls. The mark is an upsert that
-- locks an existing row (DO UPDATE, not DO NOTHING; WHERE FALSE: locked, not rewritten): a
-- rebuild claims marks with FOR UPDATE SKIP LOCKED, so it never takes a mark whose order is not
-- committed yet.
CREATE FUNCTION "regulars_order_history_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "CustomerOrderHistoryStale" ("shop", "customerId")
  SELECT DISTINCT n."shop", n."customerId" FROM new_orders n WHERE n."customerId" IS NOT NULL
  ON CONFLICT ("shop", "customerId") DO UPDATE SET "customerId" = excluded."customerId" WHERE FALSE;
  RETURN NULL;
END $$;

CREATE FUNCTION "regulars_order_history_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "CustomerOrderHistoryStale" ("shop", "customerId")
  SELECT DISTINCT c."shop", c."customerId" FROM (
    SELECT n."shop", n."customerId" FROM new_orders n JOIN old_orders o ON o."id" = n."id"
    WHERE (o."customerId", o."shop", o."processedAt", o."test", o."cancelledAt", o."subtotalCents", o."refundedSubtotalCents")
      IS DISTINCT FROM (n."customerId", n."shop", n."processedAt", n."test", n."cancelledAt", n."subtotalCents", n."refundedSubtotalCents")
    UNION ALL
    SELECT o."shop", o."customerId" FROM new_orders n JOIN old_orders o ON o."id" = n."id"
    WHERE (o."customerId", o."shop", o."processedAt", o."test", o."cancelledAt", o."subtotalCents", o."refundedSubtotalCents")
      IS DISTINCT FROM (n."customerId", n."shop", n."processedAt", n."test", n."cancelledAt", n."subtotalCents", n."refundedSubtotalCents")
  ) c WHERE c."customerId" IS NOT NULL
  ON CONFLICT ("shop", "customerId") DO UPDATE SET "customerId" = excluded."customerId" WHERE FALSE;
  RETURN NULL;
END $$;

CREATE FUNCTION "regulars_order_history_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "CustomerOrderHistoryStale" ("shop", "customerId")
  SELECT DISTINCT o."shop", o."customerId" FROM old_orders o WHERE o."customerId" IS NOT NULL
  ON CONFLICT ("shop", "customerId") DO UPDATE SET "customerId" = excluded."customerId" WHERE FALSE;
  RETURN NULL;
END $$;

CREATE TRIGGER "Order_history_insert" AFTER INSERT ON "Order"
REFERENCING NEW TABLE AS new_orders FOR EACH STATEMENT EXECUTE FUNCTION "regulars_order_history_inserted"();

CREATE TRIGGER "Order_history_update" AFTER UPDATE ON "Order"
REFERENCING OLD TABLE AS old_orders NEW TABLE AS new_orders FOR EACH STATEMENT EXECUTE FUNCTION "regulars_order_history_updated"();

CREATE TRIGGER "Order_history_delete" AFTER DELETE ON "Order"
REFERENCING OLD TABLE AS old_orders FOR EACH STATEMENT EXECUTE FUNCTION "regulars_order_history_deleted"();

-- Orders already stored: every customer with one is stale, so the first report builds the rows.
INSERT INTO "CustomerOrderHistoryStale" ("shop", "customerId")
SELECT DISTINCT "shop", "customerId" FROM "Order" WHERE "customerId" IS NOT NULL;

-- The dashboard no longer scans orders by time (ADR 0036): the range index only cost every order write.
DROP INDEX "Order_analytics_range_idx";
