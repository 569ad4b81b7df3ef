// Lines of a JSONL download, in batches, without ever holding the file: memory stays at one
// network chunk plus one partial line whatever the file's size.

/** Yields the complete lines of each network chunk; a partial last line waits for the next chunk. */
export async function* jsonlLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of body) {
    const text = rest + decoder.decode(chunk, { stream: true });
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      lines.push(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
    if (lines.length) yield lines;
  }
  rest += decoder.decode();
  // A last line without its newline is still a line; a stream that broke off mid-way throws above.
  if (rest.length) yield [rest];
}

/**
 * The chunks of a fetch body, one read at a time: no read-ahead buffer that a dropped connection
 * would throw away with lines already received. Stopping early cancels the download without
 * waiting for the other side.
 */
export async function* bodyChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
