-- A bulk import marks its shop stale once per chunk (customerId 0: the whole shop, ADR 0037)
-- instead of marking each customer: its chunk transactions set "regulars.order_marks" to 'shop'
-- locally, and the order triggers then leave the per-customer marks out. Everything else (webhooks,
-- the app's own writes, any other client) still marks customers one by one.
CREATE OR REPLACE FUNCTION "regulars_order_history_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('regulars.order_marks', true) = 'shop' THEN RETURN NULL; END IF;
  INSERT INTO "CustomerOrderHistoryStale" ("shop", "customerId")
  SELECT DISTINCT n."shop", n."customerId" FROM new_orders n WHERE n."customerId" IS NOT NULL
  ON CONFLICT ("shop", "customerId") DO UPDATE SET "customerId" = excluded."customerId" WHERE FALSE;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "regulars_order_history_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('regulars.order_marks', true) = 'shop' THEN RETURN NULL; END IF;
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

CREATE OR REPLACE FUNCTION "regulars_order_history_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('regulars.order_marks', true) = 'shop' THEN RETURN NULL; END IF;
  INSERT INTO "CustomerOrderHistoryStale" ("shop", "customerId")
  SELECT DISTINCT o."shop", o."customerId" FROM old_orders o WHERE o."customerId" IS NOT NULL
  ON CONFLICT ("shop", "customerId") DO UPDATE SET "customerId" = excluded."customerId" WHERE FALSE;
  RETURN NULL;
END $$;
