import { useEffect, useRef, useState } from "preact/hooks";
import type { RecordSummary } from "../../core/record.js";
import { api } from "./api.js";

export type LiveState = "connecting" | "open" | "retrying";

/**
 * Subscribes to `/api/stream` (server-sent events) while mounted; `onRequest` gets each new
 * request's summary. EventSource reconnects by itself when the app restarts.
 */
export function useLiveRequests(onRequest: (summary: RecordSummary) => void): LiveState {
  const [state, setState] = useState<LiveState>("connecting");
  const handler = useRef(onRequest);
  handler.current = onRequest;
  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    const source = new EventSource(api.streamUrl());
    source.onopen = () => setState("open");
    source.onerror = () => setState("retrying");
    source.addEventListener("request", (event) => {
      try {
        handler.current(JSON.parse((event as MessageEvent<string>).data) as RecordSummary);
      } catch {
        // A malformed event is skipped; the next refresh shows the truth anyway.
      }
    });
    return () => source.close();
  }, []);
  return state;
}
