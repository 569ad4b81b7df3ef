-- CreateTable
CREATE TABLE "Onboarding" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "earningSavedAt" DATETIME,
    "rewardsSavedAt" DATETIME,
    "embedOn" BOOLEAN NOT NULL DEFAULT false,
    "embedCheckedAt" DATETIME,
    "dismissedAt" DATETIME,
    "finishedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);


-- Shops installed before the onboarding existed already run a program: they are not sent into it
-- (their dashboard offers it instead), as if they had put it aside when they installed.
INSERT INTO "Onboarding" ("shop", "dismissedAt", "createdAt", "updatedAt")
SELECT "domain", "installedAt", "installedAt", "installedAt" FROM "Shop";
