// Error pages of the admin shell (/app/*), the same on the server and in the browser.
//
// Shopify's `boundary.error` tells a thrown Response (the library's bounce and re-auth pages, a
// 410 for bots, a route's 404) from an error by `error.constructor.name`. The browser bundle is
// minified, so there the class is called something else: the browser rethrows what the server
// rendered, the root boundary takes over, and React reports the mismatch (#418, then #423).
// `isRouteErrorResponse` looks at the shape instead and works on both sides.
import { isRouteErrorResponse } from "@remix-run/react";
import { AppProvider, BlockStack, Button, Card, Page, Text } from "@shopify/polaris";
import polarisTranslations from "@shopify/polaris/locales/en.json";
import { OUTSIDE_ADMIN, OUTSIDE_ADMIN_TITLE } from "./outside-admin";

/** The 401 of `outsideAdminResponse`, as a boundary receives it. */
export function isOutsideAdmin(error: unknown): boolean {
  return (
    isRouteErrorResponse(error) && error.status === 401 && (error.data as { error?: unknown } | null)?.error === OUTSIDE_ADMIN
  );
}

/** For someone who opened an /app URL directly (a bookmark, a shared link, a crawler). */
export function OutsideAdminPage() {
  return (
    <AppProvider i18n={polarisTranslations}>
      <Page narrowWidth>
        <Card>
          <BlockStack gap="300" inlineAlign="start">
            <Text as="h1" variant="headingLg">
              {OUTSIDE_ADMIN_TITLE}
            </Text>
            <Text as="p">
              Regulars runs inside your store’s Shopify admin: go to <b>Apps</b> there and choose Regulars.
            </Text>
            <Text as="p" tone="subdued">
              Or log in with your shop domain (your-store.myshopify.com) and Shopify opens Regulars in your admin.
            </Text>
            <Button url="/auth/login" variant="primary">
              Log in with your shop domain
            </Button>
          </BlockStack>
        </Card>
      </Page>
    </AppProvider>
  );
}

/**
 * What `boundary.error` renders, decided by shape: a thrown Response shows its body (the library's
 * are HTML pages that must reach the browser as they are; ours are short texts), anything else is
 * left to the root boundary.
 */
export function adminErrorBoundary(error: unknown) {
  if (isOutsideAdmin(error)) return <OutsideAdminPage />;
  if (isRouteErrorResponse(error)) {
    if (typeof error.data === "string" && error.data) return <div dangerouslySetInnerHTML={{ __html: error.data }} />;
    return <div>{`${error.status} ${error.statusText}`}</div>;
  }
  throw error;
}
