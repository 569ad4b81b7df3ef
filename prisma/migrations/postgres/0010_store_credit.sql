-- AlterTable
ALTER TABLE "Reward" ADD COLUMN     "creditExpiryDays" INTEGER;

-- AlterTable
ALTER TABLE "Redemption" ADD COLUMN     "creditCents" INTEGER,
ADD COLUMN     "creditCurrency" TEXT,
ADD COLUMN     "storeCreditTransactionId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Redemption_shop_storeCreditTransactionId_key" ON "Redemption"("shop", "storeCreditTransactionId");

