-- AlterTable
ALTER TABLE "Reward" ADD COLUMN "creditExpiryDays" INTEGER;

-- AlterTable
ALTER TABLE "Redemption" ADD COLUMN "creditCents" INTEGER;
ALTER TABLE "Redemption" ADD COLUMN "creditCurrency" TEXT;
ALTER TABLE "Redemption" ADD COLUMN "storeCreditTransactionId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Redemption_shop_storeCreditTransactionId_key" ON "Redemption"("shop", "storeCreditTransactionId");

