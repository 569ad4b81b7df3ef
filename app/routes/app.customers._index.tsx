// Customers: every member of the shop, searchable by name, email or Shopify id, filterable by RFM
// segment (the dashboard's segment tiles link here with ?segment=) and by "at risk of lapsing",
// a page of 50 at a time; each row opens the member page; "Export CSV" downloads the filtered list;
// "Adjust points in bulk" adds or removes points for everyone the list shows (POST, intent=bulk-adjust).
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData, useNavigate, useNavigation, useSearchParams } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import {
  Badge,
  BlockStack,
  Button,
  Card,
  ChoiceList,
  EmptySearchResult,
  IndexFilters,
  IndexFiltersMode,
  IndexTable,
  InlineStack,
  Link,
  Page,
  Text,
  useSetIndexFiltersMode,
  type TabProps,
} from "@shopify/polaris";
import { SEGMENT_LABELS, SEGMENTS, type Segment } from "../analytics/rfm";
import { AT_RISK_P_ALIVE } from "../analytics/customer-value.server";
import { filterParams, memberList, parseMemberFilter } from "../loyalty/customer-list.server";
import { shopFacts } from "../shops/facts.server";
import { adminFormat } from "../admin/format";
import { adminLocale, cursorOf } from "../admin/request";
import { useCsvExport, useCursorPaging } from "../admin/lists";
import { AdjustmentError, MAX_REASON_LENGTH, parseAdjustment, staffActor } from "../loyalty/adjustments.server";
import { bulkAdjust } from "../loyalty/bulk-adjust.server";
import { BulkAdjustCard, type BulkAdjustAnswer } from "../admin/bulk-adjust";
import { log } from "../log.server";
import { authenticate } from "../shopify.server";

export const meta: MetaFunction = () => [{ title: "Customers · Regulars" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const params = new URL(request.url).searchParams;
  const filter = parseMemberFilter(params);
  const list = memberList(session.shop, filter);
  const [page, total, shop] = await Promise.all([
    list.page({ after: cursorOf(params.get("after")), before: cursorOf(params.get("before")) }),
    list.total(),
    shopFacts(session.shop),
  ]);
  return {
    filter,
    page,
    total,
    currency: shop.currency,
    timezone: shop.timezone,
    locale: adminLocale(params),
    exportQuery: filterParams(filter).toString(),
    atRiskThreshold: AT_RISK_P_ALIVE,
    // A fresh nonce with every load: a retried bulk submit is the same batch and changes nothing.
    nonce: crypto.randomUUID(),
    maxReasonLength: MAX_REASON_LENGTH,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const { session, sessionToken } = await authenticate.admin(request);
  const form = await request.formData();
  if (form.get("intent") !== "bulk-adjust")
    return json<BulkAdjustAnswer>({ ok: false, error: "Unknown action", field: null }, { status: 400 });
  const filter = parseMemberFilter(new URLSearchParams([...form].filter((e): e is [string, string] => typeof e[1] === "string")));
  try {
    const input = parseAdjustment({ delta: form.get("delta"), reason: form.get("reason"), nonce: form.get("nonce") });
    const actor = await staffActor(session.shop, sessionToken?.sub);
    const result = await bulkAdjust(session.shop, filter, input, actor);
    log.info("bulk adjustment", { shop: session.shop, nonce: input.nonce, delta: input.delta, ...result });
    return json<BulkAdjustAnswer>({ ok: true, ...result });
  } catch (error) {
    if (error instanceof AdjustmentError) {
      log.warn("bulk adjustment refused", { shop: session.shop, reason: error.message });
      return json<BulkAdjustAnswer>({ ok: false, error: error.message, field: error.field }, { status: 400 });
    }
    throw error;
  }
}

const SEGMENT_TONES: Partial<Record<Segment, "success" | "info" | "attention" | "warning" | "critical">> = {
  champions: "success",
  loyal: "success",
  new: "info",
  potential_loyalists: "info",
  cant_lose: "critical",
  at_risk: "warning",
  hibernating: "attention",
};

const TABS = ["all", "at-risk"] as const;

export default function Customers() {
  const { filter, page, total, currency, timezone, locale, exportQuery, atRiskThreshold, nonce, maxReasonLength } =
    useLoaderData<typeof loader>();
  const [searchParams, setSearchParams] = useSearchParams();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location?.pathname === "/app/customers";
  const f = useMemo(() => adminFormat({ locale, currency, timeZone: timezone }), [locale, currency, timezone]);
  // Open on the filter bar when the page comes filtered (a segment tile, a search), so the owner sees why.
  const { mode, setMode } = useSetIndexFiltersMode(
    filter.segment || filter.q ? IndexFiltersMode.Filtering : IndexFiltersMode.Default,
  );
  const [query, setQuery] = useState(filter.q);
  const csv = useCsvExport();

  /** New filter values: keeps the admin's own parameters (shop, host, locale…), starts from the first page. */
  const update = useCallback(
    (changes: Record<string, string | null>) => {
      const next = new URLSearchParams(searchParams);
      next.delete("after");
      next.delete("before");
      for (const [key, value] of Object.entries(changes)) {
        if (value) next.set(key, value);
        else next.delete(key);
      }
      setSearchParams(next, { replace: true, preventScrollReset: true });
    },
    [searchParams, setSearchParams],
  );

  // Search as the owner types, once they pause.
  const latestQuery = useRef(filter.q);
  useEffect(() => {
    if (query.trim() === latestQuery.current) return;
    const timer = setTimeout(() => {
      latestQuery.current = query.trim();
      update({ q: query.trim() || null });
    }, 300);
    return () => clearTimeout(timer);
  }, [query, update]);
  useEffect(() => {
    latestQuery.current = filter.q;
    setQuery((current) => (current.trim() === filter.q ? current : filter.q));
  }, [filter.q]);

  const tabs: TabProps[] = [
    { id: "all", content: "All customers", accessibilityLabel: "All customers" },
    { id: "at-risk", content: "At risk of lapsing", accessibilityLabel: "Customers at risk of lapsing" },
  ].map((tab, index) => ({ ...tab, index, onAction: () => {}, isLocked: true }));

  const page0 = (changes: Record<string, string | null>) => update(changes);
  const filters = [
    {
      key: "segment",
      label: "Segment",
      shortcut: true,
      filter: (
        <ChoiceList
          title="RFM segment"
          titleHidden
          choices={SEGMENTS.map((s) => ({ label: SEGMENT_LABELS[s], value: s }))}
          selected={filter.segment ? [filter.segment] : []}
          onChange={(selected) => page0({ segment: selected[0] ?? null })}
        />
      ),
    },
  ];
  const appliedFilters = filter.segment
    ? [{ key: "segment", label: `Segment: ${SEGMENT_LABELS[filter.segment]}`, onRemove: () => page0({ segment: null }) }]
    : [];

  const pageTo = useCursorPaging("after", "before");

  const onExport = () => csv.run(`/app/customers/export${exportQuery ? `?${exportQuery}` : ""}`, "customers.csv");

  const describing = [
    filter.atRisk ? "at risk of lapsing" : null,
    filter.segment ? `in ${SEGMENT_LABELS[filter.segment]}` : null,
    filter.q ? `matching “${filter.q}”` : null,
  ].filter(Boolean);

  const rows = page.rows.map((row, index) => (
    <IndexTable.Row id={String(row.id)} key={row.id} position={index} onClick={() => navigate(`/app/customers/${row.shopifyId}`)}>
      <IndexTable.Cell>
        <span data-customer-row={row.shopifyId}>
          <Link url={`/app/customers/${row.shopifyId}`} dataPrimaryLink removeUnderline monochrome>
            <Text as="span" fontWeight="semibold" tone={row.redacted ? "subdued" : undefined}>
              {row.name}
            </Text>
          </Link>
        </span>
      </IndexTable.Cell>
      <IndexTable.Cell>
        {row.email ?? (
          <Text as="span" tone="subdued">
            —
          </Text>
        )}
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {f.number(row.points)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        {row.tier ?? (
          <Text as="span" tone="subdued">
            —
          </Text>
        )}
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {f.number(row.orders)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {f.cents(row.spentCents)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        {row.lastOrderAt ? (
          f.date(row.lastOrderAt)
        ) : (
          <Text as="span" tone="subdued">
            No orders
          </Text>
        )}
      </IndexTable.Cell>
      <IndexTable.Cell>
        {row.segment ? (
          <Badge tone={SEGMENT_TONES[row.segment]}>{SEGMENT_LABELS[row.segment]}</Badge>
        ) : (
          <Text as="span" tone="subdued">
            —
          </Text>
        )}
      </IndexTable.Cell>
    </IndexTable.Row>
  ));

  return (
    <Page
      fullWidth
      title="Customers"
      subtitle={`${f.number(total)} ${total === 1 ? "customer" : "customers"}${describing.length ? ` ${describing.join(", ")}` : ""}`}
      secondaryActions={[{ content: "Import points", url: "/app/customers/import" }]}
      primaryAction={
        <Button onClick={onExport} loading={csv.exporting} disabled={total === 0}>
          Export CSV
        </Button>
      }
    >
      <TitleBar title="Customers" />
      <BlockStack gap="300">
        {csv.error && (
          <Text as="p" tone="critical">
            {csv.error}
          </Text>
        )}
        <BulkAdjustCard
          filter={filter}
          total={total}
          describing={describing.join(", ")}
          nonce={nonce}
          maxReasonLength={maxReasonLength}
          number={f.number}
        />
        <Card padding="0">
          <IndexFilters
            queryValue={query}
            queryPlaceholder="Search by name, email or Shopify customer ID"
            onQueryChange={setQuery}
            onQueryClear={() => setQuery("")}
            tabs={tabs}
            selected={filter.atRisk ? 1 : 0}
            onSelect={(index) => page0({ atRisk: TABS[index] === "at-risk" ? "1" : null })}
            filters={filters}
            appliedFilters={appliedFilters}
            onClearAll={() => {
              setQuery("");
              latestQuery.current = "";
              page0({ q: null, segment: null });
            }}
            mode={mode}
            setMode={setMode}
            canCreateNewView={false}
            cancelAction={{ onAction: () => {}, disabled: false, loading: false }}
            loading={loading}
          />
          <IndexTable
            resourceName={{ singular: "customer", plural: "customers" }}
            itemCount={page.rows.length}
            selectable={false}
            loading={loading}
            emptyState={
              <EmptySearchResult
                title={filter.q || filter.segment || filter.atRisk ? "No customers match" : "No customers yet"}
                description={
                  filter.atRisk
                    ? `Repeat customers appear here when their chance of buying again drops below ${Math.round(atRiskThreshold * 100)}% (needs enough repeat customers to fit the model).`
                    : filter.q || filter.segment
                      ? "Try another search or remove a filter."
                      : "Customers appear as they order or sign up."
                }
                withIllustration
              />
            }
            headings={[
              { title: "Customer" },
              { title: "Email" },
              { title: "Points", alignment: "end" },
              { title: "Tier" },
              { title: "Orders", alignment: "end" },
              { title: "Spent", alignment: "end" },
              { title: "Last order" },
              { title: "Segment" },
            ]}
            pagination={{
              hasPrevious: page.previousCursor !== null,
              hasNext: page.nextCursor !== null,
              onPrevious: () => page.previousCursor !== null && pageTo("before", page.previousCursor),
              onNext: () => page.nextCursor !== null && pageTo("after", page.nextCursor),
            }}
          >
            {rows}
          </IndexTable>
        </Card>
        <InlineStack align="center">
          <Text as="p" variant="bodySm" tone="subdued">
            Spent: orders’ subtotal after discounts minus refunds; test and cancelled orders left out. Segments score recency,
            frequency and spend against your other customers.
          </Text>
        </InlineStack>
      </BlockStack>
    </Page>
  );
}
