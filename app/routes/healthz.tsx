/**
 * Liveness: the process serves HTTP. It does not ask the database (that is `/readyz`): an
 * orchestrator restarts instances that fail this, and restarting cannot bring a database back.
 */
export function loader() {
  return new Response("ok", { headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
}
