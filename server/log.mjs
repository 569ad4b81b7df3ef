// The server's own log lines, in the app's format (one JSON object per line on stderr). The app's
// logger (app/log.server.ts) lives in the Remix build; these lines are written before it loads,
// or by the plumbing around it.
export function logLine(event, fields = {}) {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: "info", event, ...fields })}\n`);
}
