// GET /app/api/program — the program's settings and rewards as the Program page shows them.
// PATCH /app/api/program — any subset of the settings, field names as in the page's form; merged
// onto the stored settings and validated like the page: 400 with field errors and nothing saved,
// else saved and answered like GET. Session-token auth (Authorization: Bearer <JWT>).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { db } from "../db.server";
import { log } from "../log.server";
import { InvalidInput } from "../loyalty/form-input";
import { loadProgram } from "../loyalty/program.server";
import { listRewards } from "../loyalty/rewards.server";
import { patchSettings } from "../loyalty/settings.server";
import { authenticate } from "../shopify.server";

const MAX_BODY_BYTES = 64 * 1024;
const headers = { "Cache-Control": "private, no-store" };

async function programOf(shop: string) {
  const [settings, rewards] = await Promise.all([loadProgram(db, shop), listRewards(shop)]);
  return { settings, rewards };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return Response.json(await programOf(session.shop), { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  if (request.method !== "PATCH")
    return Response.json({ error: "Use GET or PATCH." }, { status: 405, headers: { Allow: "GET, PATCH" } });
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) return Response.json({ error: `The body is over ${MAX_BODY_BYTES} bytes.` }, { status: 413 });
  let patch: unknown;
  try {
    patch = JSON.parse(text);
  } catch {
    return Response.json(
      { error: "The body is not valid JSON.", errors: { form: "Send a JSON object of settings" } },
      { status: 400 },
    );
  }
  try {
    await patchSettings(session.shop, await loadProgram(db, session.shop), patch);
  } catch (error) {
    if (!(error instanceof InvalidInput)) throw error;
    log.info("program.patch_refused", { shop: session.shop, fields: Object.keys(error.fieldErrors) });
    return Response.json(
      { error: "Nothing was saved: fix the fields named in errors.", errors: error.fieldErrors },
      { status: 400 },
    );
  }
  log.info("program.patched", { shop: session.shop, fields: Object.keys(patch as object) });
  return Response.json(await programOf(session.shop), { headers });
}
