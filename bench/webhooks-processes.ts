// The two servers the webhook bench compares, as child processes: each binds port 0 (the kernel
// picks a free port, so two runs, or a leftover server, can never collide) and says which port it
// got; the bench waits for that line, not for a guessed port to answer. A server that exits or
// stays silent is an error that names it and shows its last output: the run fails, never hangs.
// Also how much CPU a server's processes used, for the per-delivery cost.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";

export type Server = { name: string; port: number; pid: number; stop: () => void };

/** How long a server may take to say it listens (the built app loads its whole bundle first). */
const START_TIMEOUT_MS = 60_000;

const running = new Set<ChildProcess>();
// Whatever way the bench ends, its servers end with it.
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * A Node server that only checks the HMAC (Node's own crypto) and answers 200 or 401: the
 * baseline. Prints `{"port":N}` once it listens.
 */
export function startBareServer(secret: string): Promise<Server> {
  const source = `
const http = require("node:http"); const { createHmac, timingSafeEqual } = require("node:crypto");
const server = http.createServer((req, res) => {
  const chunks = []; req.on("data", (c) => chunks.push(c)); req.on("end", () => {
    const body = Buffer.concat(chunks);
    const expected = createHmac("sha256", ${JSON.stringify(secret)}).update(body).digest();
    const given = Buffer.from(String(req.headers["x-shopify-hmac-sha256"] || ""), "base64");
    res.statusCode = given.length === expected.length && timingSafeEqual(given, expected) ? 200 : 401; res.end();
  });
});
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: server.address().port })));`;
  const child = spawn(process.execPath, ["-e", source], { stdio: ["ignore", "pipe", "pipe"] });
  return waitForPort("bare HMAC server", child, "stdout", (line) => {
    const parsed = parseJson(line);
    return typeof parsed?.port === "number" ? parsed.port : undefined;
  });
}

/**
 * The built app (`node server.mjs`) with PORT=0: every HTTP worker shares the one port the
 * cluster picks, and the `server.listening` log line says which. Its warnings and errors are shown.
 */
export function startAppServer(env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<Server> {
  const child = spawn(process.execPath, [...nodeArgs, "server.mjs"], {
    env: { ...env, PORT: "0" },
    stdio: ["ignore", "inherit", "pipe"],
  });
  return waitForPort("Regulars server", child, "stderr", (line) => {
    const parsed = parseJson(line);
    if (parsed?.event !== "server.listening" || typeof parsed.url !== "string") return undefined;
    return Number(new URL(parsed.url).port);
  });
}

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Resolves with the port once `portIn` finds it in a line of the child's output; rejects if the child exits or times out. */
function waitForPort(
  name: string,
  child: ChildProcess,
  stream: "stdout" | "stderr",
  portIn: (line: string) => number | undefined,
): Promise<Server> {
  running.add(child);
  const stop = () => {
    child.kill("SIGTERM");
    running.delete(child);
  };
  const recent: string[] = [];
  return new Promise((resolve, reject) => {
    let port: number | undefined;
    let pending = "";
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      running.delete(child);
      reject(new Error(`${name} ${why}${recent.length ? `; its last output:\n${recent.join("\n")}` : ""}`));
    };
    const timer = setTimeout(() => fail(`did not say it listens within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    child[stream]!.setEncoding("utf8");
    child[stream]!.on("data", (text: string) => {
      // The server's own lines are echoed (the app logs only warnings and errors in the bench).
      if (stream === "stderr") process.stderr.write(text);
      const lines = (pending + text).split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        recent.push(line.slice(0, 500));
        if (recent.length > 10) recent.shift();
        if (port !== undefined) continue;
        port = portIn(line);
        if (port !== undefined) {
          clearTimeout(timer);
          resolve({ name, port, pid: child.pid!, stop });
        }
      }
    });
    child.on("exit", (code, signal) => {
      running.delete(child);
      if (port === undefined) fail(`exited (${code ?? signal}) before it listened`);
    });
    child.on("error", (error) => fail(`could not start: ${error.message}`));
  });
}

/**
 * CPU seconds (user + system) used so far by `pid` and every process under it (the app's
 * primary and its HTTP workers); undefined where /proc is not there to ask.
 */
export function cpuSeconds(pid: number): { total: number; byPid: Map<number, number> } | undefined {
  if (!existsSync("/proc/self/stat")) return undefined;
  const ticksPerSecond = 100; // USER_HZ: 100 on every Linux Node supports
  const stats = new Map<number, { ppid: number; seconds: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // After the command name (in parentheses, may hold spaces): state ppid … utime(14) stime(15).
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    stats.set(Number(entry), { ppid: Number(fields[1]), seconds: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond });
  }
  const byPid = new Map<number, number>();
  const visit = (id: number) => {
    const own = stats.get(id);
    if (!own) return;
    byPid.set(id, own.seconds);
    for (const [child, s] of stats) if (s.ppid === id) visit(child);
  };
  visit(pid);
  if (!byPid.size) return undefined;
  return { total: [...byPid.values()].reduce((a, b) => a + b, 0), byPid };
}
