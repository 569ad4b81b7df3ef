-- CreateTable
CREATE TABLE "Onboarding" (
    "shop" TEXT NOT NULL,
    "earningSavedAt" TIMESTAMP(3),
    "rewardsSavedAt" TIMESTAMP(3),
    "embedOn" BOOLEAN NOT NULL DEFAULT false,
    "embedCheckedAt" TIMESTAMP(3),
    "dismissedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Onboarding_pkey" PRIMARY KEY ("shop")
);


-- Shops installed before the onboarding existed already run a program: they are not sent into it
-- (their dashboard offers it instead), as if they had put it aside when they installed.
INSERT INTO "Onboarding" ("shop", "dismissedAt", "createdAt", "updatedAt")
SELECT "domain", "installedAt", "installedAt", "installedAt" FROM "Shop";
