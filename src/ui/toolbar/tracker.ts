// Watches the page's own fetch and XMLHttpRequest calls to this app: every same-origin response
// carrying an X-Glassbox-Id header becomes an entry the toolbar can open. The page's calls behave
// exactly as before: same promise, same errors, same streaming; glassbox only reads a header.

export interface TrackedCall {
  /** The glassbox record id from the X-Glassbox-Id response header. */
  id: string;
  /** Unknown for calls found through Resource Timing (made before the toolbar loaded). */
  method?: string;
  /** Path and query, relative to the page's origin. */
  url: string;
  /** Unknown for calls found through Resource Timing in browsers without `responseStatus`. */
  status?: number;
  /** Milliseconds from the call to its response (headers for fetch, the end for XHR). */
  ms: number;
  source: "fetch" | "xhr";
}

type Listener = (call: TrackedCall) => void;

const INSTALLED = Symbol.for("glassbox.toolbar.tracker");
const XHR_INFO = new WeakMap<XMLHttpRequest, { method: string; url: string; started: number }>();

/** Calls remembered for a listener that subscribes late (the toolbar renders after install). */
const BACKLOG = 100;

interface TrackerState {
  listeners: Set<Listener>;
  /** The latest calls, replayed to each new listener. */
  backlog: TrackedCall[];
  /** The page's fetch before glassbox wrapped it: the toolbar's own calls use it. */
  originalFetch: typeof fetch;
}

type TrackedWindow = Window & typeof globalThis & { [INSTALLED]?: TrackerState };

/**
 * Calls `listener` with every call seen so far, then with each new one; returns the unsubscribe.
 *
 * @example
 * const stop = subscribeCalls(installTracker(window, "/__glassbox"), (call) => list.push(call));
 */
export function subscribeCalls(state: TrackerState, listener: Listener): () => void {
  for (const call of state.backlog) listener(call);
  state.listeners.add(listener);
  return () => state.listeners.delete(listener);
}

/**
 * Wraps window.fetch and XMLHttpRequest once per page and returns the tracker. Calls to the
 * glassbox prefix itself are ignored; so are other origins.
 *
 * @example
 * const tracker = installTracker(window, "/__glassbox");
 * tracker.listeners.add((call) => console.log(call.method, call.url, call.id));
 */
export function installTracker(win: Window, prefix: string): TrackerState {
  const w = win as TrackedWindow;
  const existing = w[INSTALLED];
  if (existing) return existing;
  const state: TrackerState = {
    listeners: new Set(),
    backlog: [],
    originalFetch: typeof w.fetch === "function" ? w.fetch : fetch,
  };
  w[INSTALLED] = state;

  const report = (call: TrackedCall) => {
    state.backlog.push(call);
    if (state.backlog.length > BACKLOG) state.backlog.shift();
    for (const listener of state.listeners) {
      try {
        listener(call);
      } catch {
        // A toolbar problem must never surface in the page's network code.
      }
    }
  };
  const relevant = (raw: string): string | undefined => {
    try {
      const url = new URL(raw, w.location.href);
      if (url.origin !== w.location.origin) return undefined;
      if (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`)) return undefined;
      return url.pathname + url.search;
    } catch {
      return undefined;
    }
  };

  if (typeof w.fetch === "function") wrapFetch(w, state.originalFetch, relevant, report);
  if (typeof w.XMLHttpRequest === "function") wrapXhr(w.XMLHttpRequest.prototype, relevant, report);
  observeEarlierCalls(relevant, report);
  return state;
}

/**
 * Calls the page started before toolbar.js ran (it loads async, after the page's own scripts)
 * went through the unwrapped fetch/XHR. glassbox names each record in its Server-Timing header
 * (`glassbox-id;desc="…"`), which Resource Timing exposes for same-origin responses; a buffered
 * observer hands those entries over, past and future. The toolbar drops duplicates by id.
 */
function observeEarlierCalls(
  relevant: (url: string) => string | undefined,
  report: (call: TrackedCall) => void,
): void {
  if (typeof PerformanceObserver !== "function") return;
  try {
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as PerformanceResourceTiming[]) {
        const source =
          entry.initiatorType === "fetch"
            ? "fetch"
            : entry.initiatorType === "xmlhttprequest"
              ? "xhr"
              : undefined;
        if (!source) continue;
        const id = entry.serverTiming?.find((t) => t.name === "glassbox-id")?.description;
        const url = id ? relevant(entry.name) : undefined;
        if (!id || url === undefined) continue;
        const status = (entry as PerformanceResourceTiming & { responseStatus?: number }).responseStatus;
        report({ id, url, ms: entry.duration, source, ...(status ? { status } : {}) });
      }
    });
    observer.observe({ type: "resource", buffered: true });
  } catch {
    // No Resource Timing here: calls made before the toolbar loaded are not listed.
  }
}

function wrapFetch(
  w: Window,
  original: typeof fetch,
  relevant: (url: string) => string | undefined,
  report: (call: TrackedCall) => void,
): void {
  const wrapped = function glassboxFetch(this: unknown, ...args: Parameters<typeof fetch>) {
    // The page's own call, unchanged: its promise is returned as is.
    const result: Promise<Response> = original.apply(this ?? w, args);
    const [input, init] = args;
    try {
      const started = performance.now();
      const isRequest = typeof Request === "function" && input instanceof Request;
      const url = relevant(isRequest ? (input as Request).url : String(input));
      if (url !== undefined) {
        const method = (init?.method ?? (isRequest ? (input as Request).method : "GET")).toUpperCase();
        result.then(
          (res) => {
            const id = res.headers.get("x-glassbox-id");
            if (id)
              report({
                id,
                method,
                url,
                status: res.status,
                ms: performance.now() - started,
                source: "fetch",
              });
          },
          () => {
            // The page sees its own rejection; glassbox has nothing to show for it.
          },
        );
      }
    } catch {
      // Never let tracking affect the call.
    }
    return result;
  };
  w.fetch = wrapped as typeof fetch;
}

function wrapXhr(
  proto: XMLHttpRequest,
  relevant: (url: string) => string | undefined,
  report: (call: TrackedCall) => void,
): void {
  const open = proto.open;
  const send = proto.send;
  proto.open = function glassboxXhrOpen(this: XMLHttpRequest, ...args: Parameters<XMLHttpRequest["open"]>) {
    const [method, url] = args;
    try {
      const path = relevant(String(url));
      if (path === undefined) XHR_INFO.delete(this);
      else XHR_INFO.set(this, { method: String(method).toUpperCase(), url: path, started: 0 });
    } catch {
      // Tracking is best effort.
    }
    // open has several overloads; forward them untouched.
    return open.apply(this, args as Parameters<XMLHttpRequest["open"]>);
  } as XMLHttpRequest["open"];
  proto.send = function glassboxXhrSend(this: XMLHttpRequest, ...args: Parameters<XMLHttpRequest["send"]>) {
    const info = XHR_INFO.get(this);
    if (info) {
      info.started = performance.now();
      this.addEventListener("loadend", () => {
        try {
          const id = this.status ? this.getResponseHeader("x-glassbox-id") : null;
          if (id)
            report({
              id,
              method: info.method,
              url: info.url,
              status: this.status,
              ms: performance.now() - info.started,
              source: "xhr",
            });
        } catch {
          // Reading a header must not throw into the page's handlers.
        }
      });
    }
    return send.apply(this, args);
  };
}
