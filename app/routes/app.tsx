// The embedded admin shell: every /app/* page is authenticated with the admin session
// token, wrapped in Polaris + App Bridge, and listed in the admin's app navigation.
import { forwardRef, useEffect, useState, type ComponentProps, type ReactNode } from "react";
import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useLocation, useNavigate, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import { AppProvider as PolarisAppProvider, Box, Button, InlineStack, Text, type AppProviderProps } from "@shopify/polaris";
import polarisTranslations from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css";
import { boundary } from "@shopify/shopify-app-remix/server";
import { adminErrorBoundary, isOutsideAdmin } from "../admin/boundary";
import { OUTSIDE_ADMIN_TITLE } from "../admin/outside-admin";
import { config } from "../config.server";
import { APP_BRIDGE_STAND_IN } from "../demo/app-bridge-stand-in";
import { demoEnabled } from "../demo/demo.server";
import { authenticate } from "../shopify.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

export const meta: MetaFunction = ({ error }) => (isOutsideAdmin(error) ? [{ title: `${OUTSIDE_ADMIN_TITLE} · Regulars` }] : []);

export async function loader({ request }: LoaderFunctionArgs) {
  await authenticate.admin(request);
  // App Bridge needs the public client id in the page; the secret never leaves the server.
  // Demo mode (never in production) has no Shopify admin around the app: a stand-in for App Bridge.
  return { apiKey: config().SHOPIFY_API_KEY, demo: demoEnabled() };
}

/** The admin's app navigation: App Bridge shows it in Shopify's sidebar; the fallback nav shows it in the page. */
const NAV = [
  { to: "/app", label: "Dashboard" },
  { to: "/app/customers", label: "Customers" },
  { to: "/app/program", label: "Program" },
  { to: "/app/referrals", label: "Referrals" },
  { to: "/app/backfill", label: "Order history" },
  { to: "/app/status", label: "Status" },
];

type LinkLikeComponentProps = ComponentProps<NonNullable<AppProviderProps["linkComponent"]>>;

const APP_BRIDGE_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js";

/** Polaris links (Button url, Link url…) navigate with Remix instead of reloading the page. */
const RemixPolarisLink = forwardRef<HTMLAnchorElement, LinkLikeComponentProps>(function RemixPolarisLink(
  { url, children, external: _external, ...rest },
  ref,
) {
  return (
    <Link {...rest} to={url} ref={ref}>
      {children}
    </Link>
  );
});

/**
 * What `AppProvider` of `@shopify/shopify-app-remix/react` does, kept here because that
 * module imports JSON with `with { type: "json" }`, which the classic compiler's esbuild
 * (0.17) cannot parse: load App Bridge with our client id, give Polaris Remix links, and
 * follow App Bridge navigation (nav menu clicks) with the Remix router.
 */
function EmbeddedAppProvider({ apiKey, demo, children }: { apiKey: string; demo: boolean; children: ReactNode }) {
  const navigate = useNavigate();
  useEffect(() => {
    const onNavigate = (event: Event) => {
      const href = (event.target as Element | null)?.getAttribute?.("href");
      if (href) navigate(href);
    };
    addEventListener("shopify:navigate", onNavigate);
    return () => removeEventListener("shopify:navigate", onNavigate);
  }, [navigate]);

  return (
    <>
      {demo ? (
        <script dangerouslySetInnerHTML={{ __html: APP_BRIDGE_STAND_IN }} />
      ) : (
        <script src={APP_BRIDGE_URL} data-api-key={apiKey} />
      )}
      <PolarisAppProvider i18n={polarisTranslations} linkComponent={RemixPolarisLink}>
        <FallbackNav show={demo} />
        {children}
      </PolarisAppProvider>
    </>
  );
}

/**
 * The app's navigation in the page, when App Bridge is not there to put it in the admin's sidebar
 * (demo mode, or its CDN script did not load): without App Bridge, `<ui-nav-menu>` is an unknown
 * element and its links would run together as raw text, so it is hidden (style below) and this
 * bar shows instead. App Bridge defines `ui-nav-menu` once loaded, which is what is checked.
 */
function FallbackNav({ show }: { show: boolean }) {
  const { pathname } = useLocation();
  const [missing, setMissing] = useState(show);
  useEffect(() => {
    if (!show) setMissing(!customElements.get("ui-nav-menu"));
  }, [show]);
  if (!missing) return null;
  const current = (to: string) => (to === "/app" ? pathname === "/app" || pathname === "/app/" : pathname.startsWith(to));
  return (
    <Box background="bg-surface" borderBlockEndWidth="025" borderColor="border" paddingBlock="200" paddingInline="400">
      <nav aria-label="Regulars">
        <InlineStack gap="300" blockAlign="center">
          <Text as="span" variant="headingMd">
            Regulars
          </Text>
          <InlineStack gap="100">
            {NAV.map((item) => (
              <Button
                key={item.to}
                url={item.to}
                variant={current(item.to) ? "secondary" : "tertiary"}
                pressed={current(item.to)}
              >
                {item.label}
              </Button>
            ))}
          </InlineStack>
        </InlineStack>
      </nav>
    </Box>
  );
}

export default function AppShell() {
  const { apiKey, demo } = useLoaderData<typeof loader>();
  return (
    <EmbeddedAppProvider apiKey={apiKey} demo={demo}>
      <style>{"ui-nav-menu{display:none}"}</style>
      <NavMenu>
        {NAV.map((item) => (
          <Link key={item.to} to={item.to} rel={item.to === "/app" ? "home" : undefined}>
            {item.label}
          </Link>
        ))}
      </NavMenu>
      <Outlet />
    </EmbeddedAppProvider>
  );
}

// The library throws Responses (re-auth redirects, bounce pages) whose bodies and headers must
// reach the browser; an /app URL opened outside the admin gets a page that says where to go.
export function ErrorBoundary() {
  return adminErrorBoundary(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
