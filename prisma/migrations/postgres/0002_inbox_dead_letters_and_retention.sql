-- AlterTable
ALTER TABLE "WebhookEvent" ADD COLUMN     "deadAt" TIMESTAMP(3),
ADD COLUMN     "lastAttemptAt" TIMESTAMP(3),
ALTER COLUMN "payload" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "WebhookEvent_deadAt_idx" ON "WebhookEvent"("deadAt");


-- The ledger holds whole points (INTEGER) within ±1,000,000,000 per row and is append-only
-- (app/loyalty/ledger.server.ts checks the same before writing).
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_bounds"
  CHECK ("delta" BETWEEN -1000000000 AND 1000000000 AND "shortfall" BETWEEN -1000000000 AND 1000000000);
CREATE FUNCTION "regulars_ledger_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'LedgerEntry is append-only';
END;
$$;
CREATE TRIGGER "LedgerEntry_append_only" BEFORE UPDATE ON "LedgerEntry"
  FOR EACH ROW EXECUTE FUNCTION "regulars_ledger_append_only"();
