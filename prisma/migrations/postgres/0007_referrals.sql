-- AlterTable
ALTER TABLE "ProgramSettings" ADD COLUMN     "referralMonthlyCap" INTEGER NOT NULL DEFAULT 10,
ADD COLUMN     "referralReturnWindowDays" INTEGER NOT NULL DEFAULT 30,
ADD COLUMN     "referralWelcomePoints" INTEGER NOT NULL DEFAULT 100;

-- CreateTable
CREATE TABLE "ReferralCode" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReferralCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Referral" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "advocateId" INTEGER NOT NULL,
    "refereeId" INTEGER NOT NULL,
    "refereeShopifyId" TEXT NOT NULL,
    "orderId" INTEGER NOT NULL,
    "orderShopifyId" TEXT NOT NULL,
    "orderName" TEXT,
    "orderAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "advocatePoints" INTEGER NOT NULL DEFAULT 0,
    "refereePoints" INTEGER NOT NULL DEFAULT 0,
    "windowEndsAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Referral_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReferralFingerprint" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReferralFingerprint_pkey" PRIMARY KEY ("id")
);

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

