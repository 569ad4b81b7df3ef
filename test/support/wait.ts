// Waiting for something the test can observe (a row, an answer, a log line, a process exit)
// instead of sleeping and hoping it happened: fast when it happens at once, and a clear failure
// naming what never happened when it does not.

/** The pause between two looks: short enough not to slow a test, long enough not to spin. */
const POLL_MS = 25;

/**
 * Looks at `find` until it returns something truthy, and returns that; throws after `timeoutMs`
 * saying what it waited for (`what`, or the function's source).
 */
export async function waitFor<T>(
  find: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  { timeoutMs = 10_000, what }: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what ?? String(find)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Resolves once the child process has exited (at once if it already has), with its exit code. */
export function exitOf(child: import("node:child_process").ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}
