// What the onboarding page sends and gets back. Numbers stay text until the server validates
// them, so what the owner typed reaches the same field errors as on the Program page.
import type { FieldErrors } from "../../loyalty/form-input";
import type { EmbedCheck } from "../../onboarding/onboarding.server";

export type StepKey = "earning" | "rewards" | "embed";
export const STEPS: StepKey[] = ["earning", "rewards", "embed"];

export type ActionData =
  { ok: true; intent: string; message: string; embed?: EmbedCheck } | { ok: false; intent: string; errors: FieldErrors };

export type EarningForm = { pointsPerUnit: string; signupBonusEnabled: boolean; signupBonusPoints: string };

/** A starter reward as typed: money and percent as text, the kind as proposed. */
export type StarterForm = {
  name: string;
  kind: "amount_off" | "percent_off" | "free_shipping";
  pointsCost: string;
  value: string;
};
