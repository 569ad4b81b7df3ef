// The orders/paid body the benches send and store: the size and shape of a real one.

/** A realistic orders/paid body (~3 KB: customer, addresses, 3 line items, tax and shipping lines). */
export function orderBody(n: number): { body: string; subtotalCents: number } {
  const subtotalCents = 1000 + ((n * 7919) % 20000);
  const subtotal = (subtotalCents / 100).toFixed(2);
  const money = (amount: string) => ({
    shop_money: { amount, currency_code: "USD" },
    presentment_money: { amount, currency_code: "USD" },
  });
  const address = {
    first_name: "Sam",
    last_name: `Shopper${n}`,
    address1: `${n} Main Street`,
    city: "Springfield",
    province: "Oregon",
    country: "United States",
    zip: "97477",
    phone: "+15415550100",
    country_code: "US",
    province_code: "OR",
  };
  const body = JSON.stringify({
    id: 6_000_000_000 + n,
    admin_graphql_api_id: `gid://shopify/Order/${6_000_000_000 + n}`,
    name: `#${10000 + n}`,
    email: `shopper${n}@example.com`,
    created_at: "2026-11-01T10:00:00-05:00",
    processed_at: "2026-11-01T10:00:00-05:00",
    updated_at: "2026-11-01T10:00:05-05:00",
    cancelled_at: null,
    currency: "USD",
    presentment_currency: "USD",
    financial_status: "paid",
    fulfillment_status: null,
    test: false,
    subtotal_price: subtotal,
    subtotal_price_set: money(subtotal),
    total_price: ((subtotalCents + 950) / 100).toFixed(2),
    total_price_set: money(((subtotalCents + 950) / 100).toFixed(2)),
    total_tax: "4.50",
    total_discounts: "0.00",
    taxes_included: false,
    discount_codes: [],
    customer: {
      id: 8_000_000_000 + n,
      email: `shopper${n}@example.com`,
      first_name: "Sam",
      last_name: `Shopper${n}`,
      state: "enabled",
      verified_email: true,
      default_address: address,
    },
    billing_address: address,
    shipping_address: address,
    line_items: [1, 2, 3].map((i) => ({
      id: n * 10 + i,
      title: `Product ${i}`,
      variant_title: "Default",
      sku: `SKU-${i}`,
      quantity: 1,
      price: (subtotalCents / 300).toFixed(2),
      price_set: money((subtotalCents / 300).toFixed(2)),
      taxable: true,
      requires_shipping: true,
      vendor: "Regulars Bench",
      product_id: 9000 + i,
      variant_id: 9100 + i,
      tax_lines: [{ title: "State tax", rate: 0.05, price: "1.50" }],
    })),
    shipping_lines: [{ title: "Standard", price: "5.00", code: "STANDARD", source: "shopify" }],
    tax_lines: [{ title: "State tax", rate: 0.05, price: "4.50" }],
    refunds: [],
  });
  return { body, subtotalCents };
}
