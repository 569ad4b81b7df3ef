-- AlterTable
ALTER TABLE "ProgramSettings" ADD COLUMN     "expiryReminderDays" INTEGER NOT NULL DEFAULT 14,
ADD COLUMN     "firstOrderBonusEnabled" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "firstOrderBonusPoints" INTEGER NOT NULL DEFAULT 100,
ADD COLUMN     "nthOrderBonusEnabled" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "nthOrderBonusEvery" INTEGER NOT NULL DEFAULT 5,
ADD COLUMN     "nthOrderBonusPoints" INTEGER NOT NULL DEFAULT 100;

-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "birthdayChangedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "TierChange" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "fromTier" TEXT,
    "toTier" TEXT,
    "reason" TEXT NOT NULL,
    "entryPoints" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TierChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExpiryReminder" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "expiresOn" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExpiryReminder_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "TierChange_shop_createdAt_idx" ON "TierChange"("shop", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "TierChange_customerId_seq_key" ON "TierChange"("customerId", "seq");

-- CreateIndex
CREATE INDEX "ExpiryReminder_shop_dueAt_idx" ON "ExpiryReminder"("shop", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "ExpiryReminder_customerId_expiresOn_key" ON "ExpiryReminder"("customerId", "expiresOn");

