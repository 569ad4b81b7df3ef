// Which parts of a Shopify payload are a person's data. Used to erase a customer from the webhook
// bodies still held for processing: ids and amounts stay (the event must still work), contact
// details, names, addresses and free text go.

const PERSONAL_FIELDS = new Set([
  "email",
  "contact_email",
  "phone",
  "first_name",
  "last_name",
  "note",
  "browser_ip",
  "customer_locale",
]);
/** Whole objects that are nothing but a person's data. */
const PERSONAL_OBJECTS = new Set([
  "billing_address",
  "shipping_address",
  "default_address",
  "addresses",
  "client_details",
  "email_marketing_consent",
  "sms_marketing_consent",
]);

/** A copy of `value` with every personal field set to null, at any depth. */
export function withoutPersonalData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPersonalData);
  if (value === null || typeof value !== "object") return value;
  // No prototype: a "__proto__" key in a payload stays a plain key.
  const copy: Record<string, unknown> = Object.create(null);
  for (const [key, inner] of Object.entries(value)) {
    copy[key] = PERSONAL_FIELDS.has(key) || PERSONAL_OBJECTS.has(key) ? null : withoutPersonalData(inner);
  }
  return copy;
}
