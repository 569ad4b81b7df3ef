// The customer's Shopify store credit (what store-credit rewards added, and anything else the shop
// issued), read from Shopify when the page loads.
import { BlockStack, Card, Text } from "@shopify/polaris";

type Balance = { amount: string; currency: string };

export function StoreCreditCard({
  balances,
  currency,
  locale,
}: {
  balances: Balance[] | null;
  currency: string;
  locale: string;
}) {
  const money = (b: Balance) => {
    try {
      return new Intl.NumberFormat(locale, { style: "currency", currency: b.currency }).format(Number(b.amount));
    } catch {
      return `${b.amount} ${b.currency}`;
    }
  };
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Store credit
        </Text>
        {balances === null ? (
          <Text as="p" tone="subdued">
            Shopify did not answer; reload to try again.
          </Text>
        ) : (
          <Text as="p" variant="headingLg">
            <span data-store-credit>
              {`Store credit: ${balances.length === 0 ? money({ amount: "0", currency }) : balances.map(money).join(" · ")}`}
            </span>
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}
