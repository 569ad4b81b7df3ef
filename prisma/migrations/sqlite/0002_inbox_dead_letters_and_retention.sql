-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_WebhookEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "payload" TEXT,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "lastAttemptAt" DATETIME,
    "deadAt" DATETIME
);
INSERT INTO "new_WebhookEvent" ("attempts", "eventId", "id", "lastError", "lockedUntil", "nextAttemptAt", "payload", "processedAt", "receivedAt", "shop", "topic") SELECT "attempts", "eventId", "id", "lastError", "lockedUntil", "nextAttemptAt", "payload", "processedAt", "receivedAt", "shop", "topic" FROM "WebhookEvent";
DROP TABLE "WebhookEvent";
ALTER TABLE "new_WebhookEvent" RENAME TO "WebhookEvent";
CREATE INDEX "WebhookEvent_processedAt_nextAttemptAt_idx" ON "WebhookEvent"("processedAt", "nextAttemptAt");
CREATE INDEX "WebhookEvent_deadAt_idx" ON "WebhookEvent"("deadAt");
CREATE UNIQUE INDEX "WebhookEvent_shop_eventId_key" ON "WebhookEvent"("shop", "eventId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


-- The ledger holds whole points within ±1,000,000,000 per row and is append-only; the cached
-- balance stays a whole number. SQLite's INTEGER affinity would store 1e20 or 12.5 as REAL:
-- these triggers refuse them (app/loyalty/ledger.server.ts checks the same before writing).
CREATE TRIGGER "LedgerEntry_bounds" BEFORE INSERT ON "LedgerEntry"
WHEN typeof(NEW."delta") <> 'integer' OR NEW."delta" NOT BETWEEN -1000000000 AND 1000000000
  OR typeof(NEW."shortfall") <> 'integer' OR NEW."shortfall" NOT BETWEEN -1000000000 AND 1000000000
BEGIN
  SELECT RAISE(ABORT, 'LedgerEntry: delta and shortfall must be whole numbers within 1000000000');
END;
CREATE TRIGGER "LedgerEntry_append_only" BEFORE UPDATE ON "LedgerEntry"
BEGIN
  SELECT RAISE(ABORT, 'LedgerEntry is append-only');
END;
CREATE TRIGGER "Customer_balance_whole" BEFORE UPDATE OF "pointsBalance" ON "Customer"
WHEN typeof(NEW."pointsBalance") <> 'integer'
BEGIN
  SELECT RAISE(ABORT, 'Customer.pointsBalance must be a whole number');
END;
