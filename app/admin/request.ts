// What the Shopify admin puts in the query string of an embedded page's request.

/** The merchant's locale (`?locale=fr`), for formatting numbers; "en" when absent or not supported. */
export function adminLocale(params: URLSearchParams): string {
  const requested = params.get("locale");
  try {
    return (requested && Intl.NumberFormat.supportedLocalesOf(requested)[0]) || "en";
  } catch {
    return "en"; // malformed tag
  }
}

/** A page cursor (a row id) from the query string, or null. */
export function cursorOf(value: string | null): number | null {
  return value && /^\d{1,15}$/.test(value) ? Number(value) : null;
}
