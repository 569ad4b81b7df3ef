// Tests that open the dashboard of a shop they seeded: the shop's owner has been through the
// onboarding (finished), or put it aside (the dashboard then shows its "Finish setting up" card).
// Without one of these, opening the app sends a shop into the onboarding first.
import { db } from "../../app/db.server";

export async function onboardingFinished(shop: string) {
  const at = new Date();
  await db.onboarding.upsert({ where: { shop }, create: { shop, finishedAt: at }, update: { finishedAt: at } });
}

export async function onboardingPutAside(shop: string) {
  const at = new Date();
  await db.onboarding.upsert({ where: { shop }, create: { shop, dismissedAt: at }, update: { dismissedAt: at } });
}
