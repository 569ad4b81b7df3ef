// Request bodies are read with a cap that counts bytes as they arrive, whether or not the
// sender declared a Content-Length, so nothing unauthenticated is ever buffered past it.
// The HTTP server (server.mjs) enforces the same cap on every route before Remix sees the request;
// this is the same rule for code that receives a `Request` directly (route actions, tests).
import { config } from "../config.server";

export class BodyTooLarge extends Error {
  name = "BodyTooLarge";
  constructor(readonly limit: number) {
    super(`body over ${limit} bytes`);
  }
}

export class BodyNotUtf8 extends Error {
  name = "BodyNotUtf8";
  message = "body is not valid UTF-8";
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The body as text; BodyTooLarge once more than `limit` bytes have arrived, BodyNotUtf8 when it
 * is not UTF-8 (decoding it leniently would change the bytes a signature was computed over).
 */
export async function readBodyCapped(request: Request, limit = config().MAX_BODY_BYTES): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > limit) throw new BodyTooLarge(limit);
  if (!request.body) return "";
  // A body whose length is declared (and within the cap) is read in one go: the fast path.
  if (declared > 0) return decode(new Uint8Array(await request.arrayBuffer()));
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      // The HTTP server already cut the stream at the same cap (and answered 413).
      if (error instanceof Error && error.name === "BodyTooLarge") throw new BodyTooLarge(limit);
      throw error;
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge(limit);
    }
    chunks.push(value);
  }
  return decode(Buffer.concat(chunks));
}

function decode(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new BodyNotUtf8();
  }
}
