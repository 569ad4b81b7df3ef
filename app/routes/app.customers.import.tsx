// Import points: the owner uploads the CSV their previous loyalty app exported (Smile.io,
// LoyaltyLion, Yotpo, or their own: a customer column and a points column) and watches it go in,
// row counts and a progress bar as batches land; rows not imported can be downloaded as a CSV with
// the line and the reason. The work happens in app.customers.import[.]ndjson.tsx.
import { useState } from "react";
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Button, Card, DropZone, InlineStack, List, Page, ProgressBar, Text } from "@shopify/polaris";
import { config } from "../config.server";
import { csvDocument } from "../csv";
import { adminFormat } from "../admin/format";
import { adminLocale } from "../admin/request";
import { authenticate } from "../shopify.server";

export const meta: MetaFunction = () => [{ title: "Import points · Regulars" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await authenticate.admin(request);
  // The multipart wrapping adds a few hundred bytes around the file.
  return { maxFileBytes: config().MAX_BODY_BYTES - 4096, locale: adminLocale(new URL(request.url).searchParams) };
}

type Counts = {
  rows: number;
  imported: number;
  alreadyImported: number;
  zero: number;
  unknown: number;
  problems: number;
  points: number;
};
type Problem = { line: number; reason: string };
type State =
  | { phase: "idle" }
  | { phase: "running"; name: string; expectedRows: number; counts: Counts | null }
  | { phase: "done"; name: string; counts: Counts }
  | { phase: "failed"; name: string; error: string; counts: Counts | null };

export default function ImportPoints() {
  const { maxFileBytes, locale } = useLoaderData<typeof loader>();
  const f = adminFormat({ locale, currency: "USD", timeZone: "UTC" });
  const [state, setState] = useState<State>({ phase: "idle" });
  const [problems, setProblems] = useState<Problem[]>([]);

  async function upload(file: File) {
    setProblems([]);
    if (file.size > maxFileBytes) {
      setState({
        phase: "failed",
        name: file.name,
        counts: null,
        error: `The file is ${f.number(Math.ceil(file.size / 1024))} KB; the limit is ${f.number(Math.floor(maxFileBytes / 1024))} KB (about 60,000 rows). Split it into smaller files and import each one.`,
      });
      return;
    }
    // Lines in the file (less the header): the denominator of the progress bar.
    const expectedRows = Math.max(1, ((await file.text()).match(/\n/g)?.length ?? 1) - 1);
    setState({ phase: "running", name: file.name, expectedRows, counts: null });
    const body = new FormData();
    body.set("file", file);
    const response = await fetch("/app/customers/import.ndjson", { method: "POST", body });
    if (!response.ok || !response.body) {
      const answer = await response.json().catch(() => null);
      setState({
        phase: "failed",
        name: file.name,
        counts: null,
        error: answer?.error ?? `The import failed (${response.status}).`,
      });
      return;
    }
    const found: Problem[] = [];
    let counts: Counts | null = null;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buffered += value;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines.filter(Boolean)) {
        const message = JSON.parse(line);
        if (message.problem) found.push(message.problem);
        if (message.progress) {
          counts = message.progress;
          setState({ phase: "running", name: file.name, expectedRows, counts });
        }
        if (message.done) setState({ phase: "done", name: file.name, counts: message.done });
        if (message.failed) setState({ phase: "failed", name: file.name, counts, error: message.failed });
      }
      if (done) break;
    }
    setProblems(found.sort((a, b) => a.line - b.line));
  }

  const downloadReport = () => {
    const href = URL.createObjectURL(
      new Blob(
        [
          `\uFEFF${csvDocument(
            ["Line", "Reason"],
            problems.map((p) => [p.line, p.reason]),
          )}`,
        ],
        { type: "text/csv" },
      ),
    );
    const a = document.createElement("a");
    a.href = href;
    a.download = `import-problems-${state.phase === "idle" ? "file" : state.name.replace(/\.csv$/i, "")}.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 10_000);
  };

  const counts = state.phase === "idle" ? null : state.counts;
  return (
    <Page
      backAction={{ content: "Customers", url: "/app/customers" }}
      title="Import points"
      subtitle="Starting balances from your previous loyalty app"
    >
      <TitleBar title="Import points" />
      <BlockStack gap="400">
        <Card>
          <BlockStack gap="300">
            <Text as="p">
              Upload the customer export of Smile.io, LoyaltyLion or Yotpo, or any CSV with a customer column (<code>email</code>{" "}
              or <code>customer_id</code>, the Shopify customer ID) and a points column (<code>points</code> or{" "}
              <code>points_balance</code>). Each customer’s points are added to their balance with the reason “Points carried over
              from our previous rewards program”.
            </Text>
            <List>
              <List.Item>Customers the shop does not have are not created: they are listed in the problems report.</List.Item>
              <List.Item>Uploading the same file again changes nothing. A different file adds its points again.</List.Item>
              <List.Item>
                Files up to {f.number(Math.floor(maxFileBytes / 1024))} KB (about 60,000 rows); split larger files.
              </List.Item>
            </List>
            <DropZone
              accept=".csv,text/csv"
              type="file"
              allowMultiple={false}
              disabled={state.phase === "running"}
              onDrop={(files) => files[0] && void upload(files[0])}
              label="CSV file"
            >
              <DropZone.FileUpload actionTitle="Choose a CSV file" actionHint="or drop it here" />
            </DropZone>
          </BlockStack>
        </Card>
        {state.phase !== "idle" && (
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {state.phase === "running"
                  ? `Importing ${state.name}…`
                  : state.phase === "done"
                    ? `Imported ${state.name}`
                    : `${state.name} was not imported`}
              </Text>
              {state.phase === "running" && (
                <ProgressBar
                  progress={Math.min(100, Math.round(((counts?.rows ?? 0) / state.expectedRows) * 100))}
                  size="small"
                />
              )}
              {state.phase === "failed" && <Banner tone="critical">{state.error}</Banner>}
              {counts && (
                <p data-import-result>
                  {f.number(counts.rows)} {counts.rows === 1 ? "row" : "rows"} read: {f.number(counts.imported)}{" "}
                  {counts.imported === 1 ? "customer" : "customers"} given {f.number(counts.points)} points
                  {counts.alreadyImported ? `, ${f.number(counts.alreadyImported)} already imported from this file` : ""}
                  {counts.zero ? `, ${f.number(counts.zero)} with no points` : ""}
                  {counts.problems
                    ? `, ${f.number(counts.problems)} not imported (${f.number(counts.unknown)} unknown customers)`
                    : ""}
                  .
                </p>
              )}
              {problems.length > 0 && (
                <InlineStack>
                  <Button onClick={downloadReport}>Download the problems report ({f.number(problems.length)} rows)</Button>
                </InlineStack>
              )}
            </BlockStack>
          </Card>
        )}
      </BlockStack>
    </Page>
  );
}
