// The public landing page at the app URL. Shopify opens the app with `?shop=…`: those
// visits go straight to the embedded admin; everyone else learns what Regulars does and
// can start a login with their shop domain.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { AppProvider, BlockStack, Box, Button, Card, InlineStack, Page, Text, TextField } from "@shopify/polaris";
import polarisTranslations from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css";
import { useState } from "react";
import { login } from "../../shopify.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

export const meta: MetaFunction = () => [
  { title: "Regulars · loyalty and retention for Shopify" },
  {
    name: "description",
    content: "Regulars turns one-time buyers into regulars: points, rewards and retention KPIs for your Shopify store.",
  },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) {
    throw redirect(`/app?${url.searchParams.toString()}`);
  }
  return { showForm: Boolean(login) };
}

const FEATURES = [
  {
    title: "Points on every paid order",
    text: "Customers earn automatically when an order is paid; refunds and cancellations take the points back fairly.",
  },
  {
    title: "Rewards in two clicks",
    text: "A light storefront widget shows each shopper's balance and turns points into a one-time discount code.",
  },
  {
    title: "Know whether it pays",
    text: "Repeat rate, retention, churn, lifetime value and program ROI, right in your Shopify admin.",
  },
];

export default function Landing() {
  const { showForm } = useLoaderData<typeof loader>();
  const [shop, setShop] = useState("");

  return (
    <AppProvider i18n={polarisTranslations}>
      <Page narrowWidth>
        <BlockStack gap="600">
          <Box paddingBlockStart="1200">
            <BlockStack gap="200">
              <Text as="h1" variant="heading2xl">
                Regulars
              </Text>
              <Text as="p" variant="bodyLg">
                Turn one-time buyers into regulars: a loyalty program that rewards repeat purchases, and the retention numbers
                that show it working.
              </Text>
            </BlockStack>
          </Box>
          {showForm && (
            <Card>
              <Form method="post" action="/auth/login">
                <BlockStack gap="300">
                  <TextField
                    label="Shop domain"
                    name="shop"
                    value={shop}
                    onChange={setShop}
                    helpText="your-store.myshopify.com"
                    autoComplete="on"
                  />
                  <InlineStack>
                    <Button submit variant="primary">
                      Log in
                    </Button>
                  </InlineStack>
                </BlockStack>
              </Form>
            </Card>
          )}
          <BlockStack gap="400" as="ul">
            {FEATURES.map((feature) => (
              <Box as="li" key={feature.title}>
                <BlockStack gap="100">
                  <Text as="h2" variant="headingMd">
                    {feature.title}
                  </Text>
                  <Text as="p" tone="subdued">
                    {feature.text}
                  </Text>
                </BlockStack>
              </Box>
            ))}
          </BlockStack>
        </BlockStack>
      </Page>
    </AppProvider>
  );
}
