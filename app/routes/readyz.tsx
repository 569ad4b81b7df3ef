import { readiness } from "~/db/readiness.server";

/** Readiness for load balancers: 200 when the database answers and is fully migrated, else 503 and why. */
export async function loader() {
  const result = await readiness();
  return new Response(JSON.stringify(result), {
    status: result.ready ? 200 : 503,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}
