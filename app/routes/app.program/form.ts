// The Program page's form state: what the owner types, as text, and the payloads it sends.
// Numbers stay text until the server validates them, so "1,250.5" or "abc" reach the server's
// field errors as typed.
import type { FieldErrors } from "../../loyalty/form-input";
import type { Program } from "../../loyalty/program";

export type ActionData = { ok: true; intent: string; message: string } | { ok: false; intent: string; errors: FieldErrors };

export type TierForm = { key: number; name: string; minSpend: string; multiplier: string; entryReward: string; perks: string };
export type SettingsForm = {
  [K in keyof Omit<Program, "tiers">]: Program[K] extends boolean ? boolean : string;
} & { tiers: TierForm[] };

let lastKey = 0;
/** A fresh React key for a tier row. */
export const nextKey = () => ++lastKey;
export const plain = (cents: number) => (cents % 100 === 0 ? String(cents / 100) : (cents / 100).toFixed(2));

export function toForm(s: Program): SettingsForm {
  const form = {} as Record<string, unknown>;
  for (const [key, value] of Object.entries(s))
    if (key !== "tiers") form[key] = typeof value === "boolean" ? value : String(value);
  form.tiers = s.tiers.map(tierForm);
  return form as SettingsForm;
}

export const tierForm = (t: Program["tiers"][number]): TierForm => ({
  key: nextKey(),
  name: t.name,
  minSpend: plain(t.minSpendCents),
  multiplier: String(t.multiplier),
  entryReward: String(t.entryRewardPoints ?? 0),
  perks: t.perks ?? "",
});

/** "1,250.5" → 125050 cents; anything else goes to the server as typed, which names the problem. */
export function typedCents(text: string): number | string {
  const t = text.replace(/[,\s]/g, "");
  return /^\d+(\.\d{1,2})?$/.test(t) ? Math.round(Number(t) * 100) : text;
}

export function toPayload(form: SettingsForm) {
  const { tiers, ...rest } = form;
  return {
    ...rest,
    tiers: tiers.map((t) => ({
      name: t.name,
      minSpendCents: typedCents(t.minSpend),
      multiplier: t.multiplier,
      entryRewardPoints: t.entryReward.trim() === "" ? "0" : t.entryReward,
      perks: t.perks,
    })),
  };
}

export const sameForm = (a: SettingsForm, b: SettingsForm) => JSON.stringify(toPayload(a)) === JSON.stringify(toPayload(b));
