-- CreateTable
CREATE TABLE "MemberSync" (
    "customerId" INTEGER NOT NULL,
    "shop" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "syncedVersion" INTEGER NOT NULL DEFAULT 0,
    "syncedTier" TEXT,
    "dirtySince" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "lastError" TEXT,
    "syncedAt" TIMESTAMP(3),

    CONSTRAINT "MemberSync_pkey" PRIMARY KEY ("customerId")
);

-- CreateTable
CREATE TABLE "FlowTriggerUse" (
    "shop" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "changedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FlowTriggerUse_pkey" PRIMARY KEY ("shop","trigger")
);

-- CreateTable
CREATE TABLE "FlowEvent" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "redemptionId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,

    CONSTRAINT "FlowEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MemberSync_shop_dirtySince_idx" ON "MemberSync"("shop", "dirtySince");

-- CreateIndex
CREATE INDEX "MemberSync_dirtySince_idx" ON "MemberSync"("dirtySince");

-- CreateIndex
CREATE INDEX "FlowEvent_sentAt_nextAttemptAt_idx" ON "FlowEvent"("sentAt", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "FlowEvent_shop_dedupeKey_key" ON "FlowEvent"("shop", "dedupeKey");

