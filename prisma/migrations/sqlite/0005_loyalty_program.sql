-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "birthdayChangedAt" DATETIME;

-- CreateTable
CREATE TABLE "TierChange" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "fromTier" TEXT,
    "toTier" TEXT,
    "reason" TEXT NOT NULL,
    "entryPoints" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ExpiryReminder" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "expiresOn" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ProgramSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "pointsPerUnit" REAL NOT NULL DEFAULT 1,
    "signupBonusEnabled" BOOLEAN NOT NULL DEFAULT false,
    "signupBonusPoints" INTEGER NOT NULL DEFAULT 100,
    "birthdayBonusEnabled" BOOLEAN NOT NULL DEFAULT false,
    "birthdayBonusPoints" INTEGER NOT NULL DEFAULT 100,
    "firstOrderBonusEnabled" BOOLEAN NOT NULL DEFAULT false,
    "firstOrderBonusPoints" INTEGER NOT NULL DEFAULT 100,
    "nthOrderBonusEnabled" BOOLEAN NOT NULL DEFAULT false,
    "nthOrderBonusEvery" INTEGER NOT NULL DEFAULT 5,
    "nthOrderBonusPoints" INTEGER NOT NULL DEFAULT 100,
    "referralBonusEnabled" BOOLEAN NOT NULL DEFAULT false,
    "referralBonusPoints" INTEGER NOT NULL DEFAULT 200,
    "tiersEnabled" BOOLEAN NOT NULL DEFAULT false,
    "tiers" TEXT NOT NULL DEFAULT '[]',
    "expiryEnabled" BOOLEAN NOT NULL DEFAULT false,
    "expiryMonths" INTEGER NOT NULL DEFAULT 12,
    "expiryReminderDays" INTEGER NOT NULL DEFAULT 14,
    "allowNegativeBalance" BOOLEAN NOT NULL DEFAULT false,
    "activeWindowDays" INTEGER NOT NULL DEFAULT 365,
    "codeExpiryDays" INTEGER NOT NULL DEFAULT 30,
    "restorePointsOnExpiry" BOOLEAN NOT NULL DEFAULT false,
    "combinesWithOrder" BOOLEAN NOT NULL DEFAULT false,
    "combinesWithProduct" BOOLEAN NOT NULL DEFAULT true,
    "combinesWithShipping" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_ProgramSettings" ("activeWindowDays", "allowNegativeBalance", "birthdayBonusEnabled", "birthdayBonusPoints", "codeExpiryDays", "combinesWithOrder", "combinesWithProduct", "combinesWithShipping", "expiryEnabled", "expiryMonths", "pointsPerUnit", "referralBonusEnabled", "referralBonusPoints", "restorePointsOnExpiry", "shop", "signupBonusEnabled", "signupBonusPoints", "tiers", "tiersEnabled", "updatedAt") SELECT "activeWindowDays", "allowNegativeBalance", "birthdayBonusEnabled", "birthdayBonusPoints", "codeExpiryDays", "combinesWithOrder", "combinesWithProduct", "combinesWithShipping", "expiryEnabled", "expiryMonths", "pointsPerUnit", "referralBonusEnabled", "referralBonusPoints", "restorePointsOnExpiry", "shop", "signupBonusEnabled", "signupBonusPoints", "tiers", "tiersEnabled", "updatedAt" FROM "ProgramSettings";
DROP TABLE "ProgramSettings";
ALTER TABLE "new_ProgramSettings" RENAME TO "ProgramSettings";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "TierChange_shop_createdAt_idx" ON "TierChange"("shop", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "TierChange_customerId_seq_key" ON "TierChange"("customerId", "seq");

-- CreateIndex
CREATE INDEX "ExpiryReminder_shop_dueAt_idx" ON "ExpiryReminder"("shop", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "ExpiryReminder_customerId_expiresOn_key" ON "ExpiryReminder"("customerId", "expiresOn");

