import type { Glassbox } from "../core/glassbox.js";
import { summarize } from "../core/record.js";
import type { OwnResponse } from "./response.js";

/** A comment line every 15 s keeps proxies and idle-timeouts from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/** Tells EventSource how long to wait before reconnecting after the app restarts. */
const RETRY_MS = 2_000;

/**
 * `GET {prefix}/api/stream`: server-sent events, one `request` event per finished request record
 * (its summary, the same shape as a row of `/api/requests`). Background records are left out.
 *
 * @example
 * const events = new EventSource("/__glassbox/api/stream");
 * events.addEventListener("request", (e) => console.log(JSON.parse(e.data).path));
 */
export function streamRecords(gb: Glassbox): OwnResponse {
  return {
    status: 200,
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      // Asks reverse proxies (nginx) not to buffer the stream.
      "x-accel-buffering": "no",
    },
    stream(write) {
      write(`retry: ${RETRY_MS}\n: glassbox live requests\n\n`);
      const unsubscribe = gb.subscribe((record) => {
        if (record.kind !== "request") return;
        try {
          // JSON.stringify never emits a raw newline, so one data line is always enough.
          write(`event: request\ndata: ${JSON.stringify(summarize(record))}\n\n`);
        } catch {
          // A socket that went away is cleaned up by the close handler.
        }
      });
      const heartbeat = setInterval(() => {
        try {
          write(": keep-alive\n\n");
        } catch {
          // Same as above: the close handler stops this timer.
        }
      }, HEARTBEAT_MS).unref();
      return () => {
        clearInterval(heartbeat);
        unsubscribe();
      };
    },
  };
}
