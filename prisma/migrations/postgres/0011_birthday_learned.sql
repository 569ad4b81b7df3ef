-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "birthdayLearnedAt" TIMESTAMP(3);


-- A birthday the shopper gave was learned when it was set; one taken from Shopify before this
-- column existed stays unknown (NULL) and is paid as before.
UPDATE "Customer" SET "birthdayLearnedAt" = "birthdayChangedAt" WHERE "birthdayChangedAt" IS NOT NULL;
