-- CreateTable
CREATE TABLE "ReferralCode" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Referral" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "advocateId" INTEGER NOT NULL,
    "refereeId" INTEGER NOT NULL,
    "refereeShopifyId" TEXT NOT NULL,
    "orderId" INTEGER NOT NULL,
    "orderShopifyId" TEXT NOT NULL,
    "orderName" TEXT,
    "orderAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "advocatePoints" INTEGER NOT NULL DEFAULT 0,
    "refereePoints" INTEGER NOT NULL DEFAULT 0,
    "windowEndsAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ReferralFingerprint" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
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
    "referralWelcomePoints" INTEGER NOT NULL DEFAULT 100,
    "referralMonthlyCap" INTEGER NOT NULL DEFAULT 10,
    "referralReturnWindowDays" INTEGER NOT NULL DEFAULT 30,
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
INSERT INTO "new_ProgramSettings" ("activeWindowDays", "allowNegativeBalance", "birthdayBonusEnabled", "birthdayBonusPoints", "codeExpiryDays", "combinesWithOrder", "combinesWithProduct", "combinesWithShipping", "expiryEnabled", "expiryMonths", "expiryReminderDays", "firstOrderBonusEnabled", "firstOrderBonusPoints", "nthOrderBonusEnabled", "nthOrderBonusEvery", "nthOrderBonusPoints", "pointsPerUnit", "referralBonusEnabled", "referralBonusPoints", "restorePointsOnExpiry", "shop", "signupBonusEnabled", "signupBonusPoints", "tiers", "tiersEnabled", "updatedAt") SELECT "activeWindowDays", "allowNegativeBalance", "birthdayBonusEnabled", "birthdayBonusPoints", "codeExpiryDays", "combinesWithOrder", "combinesWithProduct", "combinesWithShipping", "expiryEnabled", "expiryMonths", "expiryReminderDays", "firstOrderBonusEnabled", "firstOrderBonusPoints", "nthOrderBonusEnabled", "nthOrderBonusEvery", "nthOrderBonusPoints", "pointsPerUnit", "referralBonusEnabled", "referralBonusPoints", "restorePointsOnExpiry", "shop", "signupBonusEnabled", "signupBonusPoints", "tiers", "tiersEnabled", "updatedAt" FROM "ProgramSettings";
DROP TABLE "ProgramSettings";
ALTER TABLE "new_ProgramSettings" RENAME TO "ProgramSettings";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "ReferralCode_shop_customerId_key" ON "ReferralCode"("shop", "customerId");

-- CreateIndex
CREATE UNIQUE INDEX "ReferralCode_shop_code_key" ON "ReferralCode"("shop", "code");

-- CreateIndex
CREATE INDEX "Referral_shop_advocateId_status_orderAt_idx" ON "Referral"("shop", "advocateId", "status", "orderAt");

-- CreateIndex
CREATE INDEX "Referral_shop_refereeId_idx" ON "Referral"("shop", "refereeId");

-- CreateIndex
CREATE INDEX "Referral_shop_createdAt_idx" ON "Referral"("shop", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Referral_shop_orderShopifyId_key" ON "Referral"("shop", "orderShopifyId");

-- CreateIndex
CREATE INDEX "ReferralFingerprint_shop_hash_idx" ON "ReferralFingerprint"("shop", "hash");

-- CreateIndex
CREATE UNIQUE INDEX "ReferralFingerprint_shop_customerId_hash_key" ON "ReferralFingerprint"("shop", "customerId", "hash");

