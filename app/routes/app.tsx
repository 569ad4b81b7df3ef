// The embedded admin shell: every /app/* page is authenticated with the admin session
// token, wrapped in Polaris + App Bridge, and listed in the admin's app navigation.
import { forwardRef, useEffect, type ComponentProps, type ReactNode } from "react";
import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useNavigate, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import { AppProvider as PolarisAppProvider, type AppProviderProps } from "@shopify/polaris";
import polarisTranslations from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css";
import { boundary } from "@shopify/shopify-app-remix/server";
import { adminErrorBoundary, isOutsideAdmin } from "../admin/boundary";
import { OUTSIDE_ADMIN_TITLE } from "../admin/outside-admin";
import { config } from "../config.server";
import { authenticate } from "../shopify.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

export const meta: MetaFunction = ({ error }) => (isOutsideAdmin(error) ? [{ title: `${OUTSIDE_ADMIN_TITLE} · Regulars` }] : []);

export async function loader({ request }: LoaderFunctionArgs) {
  await authenticate.admin(request);
  // App Bridge needs the public client id in the page; the secret never leaves the server.
  return { apiKey: config().SHOPIFY_API_KEY };
}

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
function EmbeddedAppProvider({ apiKey, children }: { apiKey: string; children: ReactNode }) {
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
      <script src={APP_BRIDGE_URL} data-api-key={apiKey} />
      <PolarisAppProvider i18n={polarisTranslations} linkComponent={RemixPolarisLink}>
        {children}
      </PolarisAppProvider>
    </>
  );
}

export default function AppShell() {
  const { apiKey } = useLoaderData<typeof loader>();
  return (
    <EmbeddedAppProvider apiKey={apiKey}>
      <NavMenu>
        <Link to="/app" rel="home">
          Dashboard
        </Link>
        <Link to="/app/customers">Customers</Link>
        <Link to="/app/program">Program</Link>
        <Link to="/app/backfill">Order history</Link>
        <Link to="/app/status">Status</Link>
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
