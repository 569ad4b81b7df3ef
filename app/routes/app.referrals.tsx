// Referrals: every order that came through a member's code — who referred whom, the order, and
// whether both were rewarded, blocked (and why) or had the rewards taken back; 50 a page, newest
// first, filterable by status. The rules are in app/loyalty/referrals*.ts; this route reads the page.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useNavigate } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import {
  Badge,
  BlockStack,
  Button,
  ButtonGroup,
  Card,
  EmptyState,
  IndexTable,
  Link,
  Page,
  Pagination,
  Text,
} from "@shopify/polaris";
import { adminFormat } from "../admin/format";
import { adminLocale } from "../admin/request";
import { loadProgram } from "../loyalty/program.server";
import { parseReferralQuery, referralPage, type ReferralRow, type ReferralStatus } from "../loyalty/referrals-list.server";
import { db } from "../db.server";
import { authenticate } from "../shopify.server";
import { shopFacts } from "../shops/facts.server";

export const meta: MetaFunction = () => [{ title: "Referrals · Regulars" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const params = new URL(request.url).searchParams;
  const [page, program, shop] = await Promise.all([
    referralPage(session.shop, parseReferralQuery(params)),
    loadProgram(db, session.shop),
    shopFacts(session.shop),
  ]);
  return {
    ...page,
    enabled: program.referralBonusEnabled,
    locale: adminLocale(params),
    currency: shop.currency,
    timezone: shop.timezone,
  };
}

const STATUS_TONE = { rewarded: "success", blocked: "critical", reversed: "warning" } as const;
const STATUS_LABEL = { rewarded: "Rewarded", blocked: "Blocked", reversed: "Taken back" } as const;
const FILTERS: [ReferralStatus | null, string][] = [
  [null, "All"],
  ["rewarded", "Rewarded"],
  ["blocked", "Blocked"],
  ["reversed", "Taken back"],
];

function pageUrl(status: ReferralStatus | null, page: number) {
  const q = new URLSearchParams();
  if (status) q.set("status", status);
  if (page > 1) q.set("page", String(page));
  const s = q.toString();
  return `/app/referrals${s ? `?${s}` : ""}`;
}

function Person({ p }: { p: ReferralRow["advocate"] }) {
  return p.shopifyId ? <Link url={`/app/customers/${p.shopifyId}`}>{p.name}</Link> : <Text as="span">{p.name}</Text>;
}

export default function ReferralsPage() {
  const data = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  const f = adminFormat({ locale: data.locale, currency: data.currency, timeZone: data.timezone });
  return (
    <Page title="Referrals">
      <TitleBar title="Referrals" />
      <BlockStack gap="400">
        {!data.enabled && (
          <Card>
            <Text as="p">
              Referrals are off. Turn them on under <Link url="/app/program#referrals">Program</Link>: each member then gets a
              link to share from the rewards widget.
            </Text>
          </Card>
        )}
        <ButtonGroup variant="segmented">
          {FILTERS.map(([status, label]) => (
            <Button key={label} pressed={data.status === status} url={pageUrl(status, 1)}>
              {label}
            </Button>
          ))}
        </ButtonGroup>
        <Card padding="0">
          {data.rows.length === 0 && data.page === 1 ? (
            <EmptyState heading="No referrals yet" image="">
              <p>When a friend's order arrives through a member's link, it is listed here with what was decided.</p>
            </EmptyState>
          ) : (
            <IndexTable
              resourceName={{ singular: "referral", plural: "referrals" }}
              itemCount={data.rows.length}
              selectable={false}
              headings={[
                { title: "Date" },
                { title: "Member" },
                { title: "Friend" },
                { title: "Order" },
                { title: "Status" },
                { title: "Reason" },
                { title: "Points", alignment: "end" },
              ]}
            >
              {data.rows.map((r, index) => (
                <IndexTable.Row id={String(r.id)} key={r.id} position={index}>
                  <IndexTable.Cell>{f.date(r.createdAt)}</IndexTable.Cell>
                  <IndexTable.Cell>
                    <Person p={r.advocate} />
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Person p={r.referee} />
                  </IndexTable.Cell>
                  <IndexTable.Cell>{r.order.name}</IndexTable.Cell>
                  <IndexTable.Cell>
                    <Badge tone={STATUS_TONE[r.status]}>{STATUS_LABEL[r.status]}</Badge>
                  </IndexTable.Cell>
                  <IndexTable.Cell>{r.reasonText}</IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {r.status === "blocked" ? "—" : `${f.number(r.advocatePoints)} + ${f.number(r.refereePoints)}`}
                    </Text>
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          )}
        </Card>
        <Pagination
          hasPrevious={data.page > 1}
          onPrevious={() => navigate(pageUrl(data.status, data.page - 1))}
          hasNext={data.hasNext}
          onNext={() => navigate(pageUrl(data.status, data.page + 1))}
        />
      </BlockStack>
    </Page>
  );
}
