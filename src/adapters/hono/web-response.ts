import type { OwnResponse } from "../../server/response.js";

/**
 * Turns one of glassbox's own responses into a web `Response`, which is what a Hono handler
 * returns. A `stream` (server-sent events) becomes a ReadableStream whose cancel, called when
 * the client goes away, runs the stream's cleanup.
 *
 * @example
 * return toWebResponse(json(200, { ok: true }));
 */
export function toWebResponse(own: OwnResponse): Response {
  const init: ResponseInit = { status: own.status, headers: own.headers };
  const open = own.stream;
  if (open) {
    const encoder = new TextEncoder();
    let stop: (() => void) | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        stop = open((chunk) => {
          try {
            controller.enqueue(encoder.encode(chunk));
          } catch {
            // The stream was already closed by the client; the cleanup runs from cancel().
          }
        });
      },
      cancel() {
        stop?.();
        stop = undefined;
      },
    });
    return new Response(body, init);
  }
  const payload = own.body;
  if (payload === undefined) return new Response(null, init);
  // A copy typed over a plain ArrayBuffer, which is what Response's BodyInit accepts.
  return new Response(typeof payload === "string" ? payload : new Uint8Array(payload), init);
}
