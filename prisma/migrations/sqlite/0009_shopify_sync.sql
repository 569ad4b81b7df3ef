-- CreateTable
CREATE TABLE "MemberSync" (
    "customerId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "syncedVersion" INTEGER NOT NULL DEFAULT 0,
    "syncedTier" TEXT,
    "dirtySince" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "lastError" TEXT,
    "syncedAt" DATETIME
);

-- CreateTable
CREATE TABLE "FlowTriggerUse" (
    "shop" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "changedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "trigger")
);

-- CreateTable
CREATE TABLE "FlowEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "redemptionId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT
);

-- CreateIndex
CREATE INDEX "MemberSync_shop_dirtySince_idx" ON "MemberSync"("shop", "dirtySince");

-- CreateIndex
CREATE INDEX "MemberSync_dirtySince_idx" ON "MemberSync"("dirtySince");

-- CreateIndex
CREATE INDEX "FlowEvent_sentAt_nextAttemptAt_idx" ON "FlowEvent"("sentAt", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "FlowEvent_shop_dedupeKey_key" ON "FlowEvent"("shop", "dedupeKey");

