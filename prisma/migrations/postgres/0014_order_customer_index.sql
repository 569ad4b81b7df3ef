-- One per-customer index on "Order" instead of two (ADR 0037): (customerId, shop, processedAt, …)
-- serves what (customerId, processedAt) served (the customer foreign key, a customer's orders in
-- time order) and what (shop, customerId, processedAt, …) served (index-only reads of a shop's
-- per-customer and guest orders). Every order write paid for both; at 1,000,000 orders the second
-- one was a third of PostgreSQL's insert time.
-- CreateIndex
CREATE INDEX "Order_customer_idx" ON "Order"("customerId", "shop", "processedAt", "test", "cancelledAt", "subtotalCents", "refundedSubtotalCents");

-- DropIndex
DROP INDEX "Order_customerId_processedAt_idx";

-- DropIndex
DROP INDEX "Order_analytics_customer_idx";
