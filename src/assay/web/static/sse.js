/*
 * Server-Sent Events read with fetch(): EventSource cannot send an Authorization header.
 *
 * The parser follows the WHATWG event-stream format: lines end in CRLF, LF or CR; "event:" names
 * the event, "data:" lines are joined with "\n", a blank line dispatches (only when there is data),
 * lines starting with ":" are comments (keep-alive pings), and an event cut off by the end of the
 * stream is dropped. Example: "event: x\r\ndata: {}\r\n\r\n" dispatches ("x", "{}").
 */

import { authHeaders, readError } from "./api.js";

/** A parser: `push(textChunk)` calls `onEvent(name, data)` for each complete event. */
export function createSseParser(onEvent) {
  let buffer = "";
  let name = "";
  let data = [];

  function line(text) {
    if (text === "") {
      if (data.length) onEvent(name || "message", data.join("\n"));
      name = "";
      data = [];
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
  }

  return {
    push(chunk) {
      buffer += chunk;
      for (;;) {
        const at = buffer.search(/\r\n|\r|\n/);
        if (at < 0) return;
        // A CR at the very end may be the first half of a CRLF split across chunks.
        if (buffer[at] === "\r" && at === buffer.length - 1) return;
        const width = buffer.startsWith("\r\n", at) ? 2 : 1;
        line(buffer.slice(0, at));
        buffer = buffer.slice(at + width);
      }
    },
  };
}

/**
 * GET `path` as an event stream and call `onEvent(name, data)` until the server closes it.
 * Resolves when the stream ends; rejects with ApiError on a non-2xx answer, or with the fetch
 * error (an AbortError when `signal` aborts).
 */
export async function readEventStream(path, { signal, onEvent }) {
  const res = await fetch(path, {
    headers: { ...authHeaders(), Accept: "text/event-stream" },
    cache: "no-store",
    signal,
  });
  if (!res.ok) throw await readError(res);
  const parser = createSseParser(onEvent);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    parser.push(value);
  }
}
