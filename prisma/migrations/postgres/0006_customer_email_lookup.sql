-- Finding customers by email, case-insensitively, without reading every customer of the shop (the
-- points import matches rows by LOWER(email)). An expression index: the Prisma schema cannot
-- declare it, and migrations are authored from schema snapshots, so no later migration drops it.
CREATE INDEX "Customer_shop_lower_email_idx" ON "Customer"("shop", LOWER("email"));
