// The owner's forms (program settings, rewards) send strings ("12", "on") or JSON numbers and
// booleans: these read both, and say in the merchant's words what is wrong, field by field.
import { z } from "zod";

export const number = (what = "a number") =>
  z.preprocess(
    (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : Number(v.trim().replace(/,/g, ""))) : (v ?? undefined)),
    z.number({ required_error: `Enter ${what}`, invalid_type_error: `Enter ${what}` }).finite(`Enter ${what}`),
  );
export const whole = (min: number, max: number, what = "a whole number") =>
  number(what).pipe(
    z
      .number()
      .int(`Enter a whole number`)
      .min(min, `Enter at least ${min.toLocaleString("en")}`)
      .max(max, `Enter at most ${max.toLocaleString("en")}`),
  );
export const flag = z.preprocess(
  (v) => (typeof v === "string" ? ["true", "on", "1", "yes"].includes(v.toLowerCase()) : (v ?? false)),
  z.boolean({ invalid_type_error: "Choose on or off" }),
);
/** Ten million in shop currency: beyond any sane threshold or reward value. */
export const MAX_CENTS = 1_000_000_000;

export type FieldErrors = Record<string, string>;

/** A validation failure in the form's terms: `{ "tiers.1.name": "…", pointsPerUnit: "…" }`. */
export class InvalidInput extends Error {
  constructor(readonly fieldErrors: FieldErrors) {
    super(
      `invalid input: ${Object.entries(fieldErrors)
        .map(([k, v]) => `${k}: ${v}`)
        .join("; ")}`,
    );
    this.name = "InvalidInput";
  }
}

export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "form";
    errors[key] ??= issue.message;
  }
  return errors;
}
