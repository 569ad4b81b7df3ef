// POST /app/customers/import.ndjson (multipart, field `file`) → imports starting balances from
// another loyalty app's CSV and answers as it goes, one JSON object per line:
//   {"progress": {...counts}} after each batch, {"problem": {"line", "reason"}} for each row not
//   imported, then {"done": {...counts}} or {"failed": "..."}.
// A file with no usable header, or not a file at all, is refused (400) before anything is imported.
// The request body is capped by the server (MAX_BODY_BYTES, 2 MiB by default): the page says so.
import type { ActionFunctionArgs } from "@remix-run/node";
import { staffActor } from "../loyalty/adjustments.server";
import { checkHeader, ImportFileError, importBalances } from "../loyalty/points-import.server";
import { log } from "../log.server";
import { authenticate } from "../shopify.server";

const bytesOf = (file: Blob) => file.stream() as unknown as AsyncIterable<Uint8Array>;

export async function action({ request }: ActionFunctionArgs) {
  const { session, sessionToken } = await authenticate.admin(request);
  const refuse = (reason: string) => {
    log.warn("points import refused", { shop: session.shop, reason });
    return Response.json({ error: reason }, { status: 400 });
  };
  let file: FormDataEntryValue | null;
  try {
    file = (await request.formData()).get("file");
  } catch {
    return refuse("Send the CSV as a file upload (multipart/form-data, field “file”).");
  }
  if (!file || typeof file === "string") return refuse("Choose a CSV file to import.");
  try {
    await checkHeader(bytesOf(file));
  } catch (error) {
    if (error instanceof ImportFileError) return refuse(error.message);
    throw error;
  }
  const actor = await staffActor(session.shop, sessionToken?.sub);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (value: unknown) => controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
      try {
        const result = await importBalances(session.shop, () => bytesOf(file), {
          actor,
          onProgress: (progress) => send({ progress }),
          onProblem: (problem) => send({ problem }),
        });
        log.info("points imported", { shop: session.shop, file: file.name, ...result });
        send({ done: result });
      } catch (error) {
        log.error("points import failed", { shop: session.shop, error: String(error) });
        send({
          failed:
            error instanceof ImportFileError
              ? error.message
              : "The import stopped on a server error; upload the same file again to finish it (rows already imported are not imported twice).",
        });
      }
      controller.close();
    },
  });
  return new Response(body, { headers: { "Content-Type": "application/x-ndjson; charset=utf-8", "Cache-Control": "no-store" } });
}
