import type { GlassboxRecord, RecordSummary } from "../../core/record.js";
import type { ViewNode } from "../../core/view.js";
import type { RouteBaseline } from "../../server/compare.js";
import type { TrendsResult } from "../../store/trends.js";

const root = document.getElementById("glassbox-dashboard");
/** Where glassbox is mounted, from the page shell (default /__glassbox). */
export const prefix = root?.dataset.prefix ?? "/__glassbox";

/** An answer the API refused, with its message (a bad `q` says what is wrong with it). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(`${prefix}${path}`, {
    signal: signal ?? null,
    headers: { accept: "application/json" },
  });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { error?: string };
      if (typeof body.error === "string") message = body.error;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new ApiError(res.status, message);
  }
  return (await res.json()) as T;
}

export interface RequestPage {
  requests: RecordSummary[];
  total: number;
}

/** What `/api/health` says about recording (absent from servers without an overhead budget). */
export interface RecordingHealth {
  /** Share of main-thread time glassbox may spend recording (0.02 = 2 %); false: record everything. */
  budget: number | false;
  recorded: number;
  /** Requests not recorded to stay within the budget. */
  skipped: number;
  spentMs: number;
}

export interface Health {
  ok: boolean;
  recording?: RecordingHealth;
}

export const api = {
  list: (params: URLSearchParams, signal?: AbortSignal) =>
    getJson<RequestPage>(`/api/requests?${params}`, signal),
  record: (id: string, signal?: AbortSignal) =>
    getJson<GlassboxRecord>(`/api/requests/${encodeURIComponent(id)}`, signal),
  views: (id: string, signal?: AbortSignal) =>
    getJson<Record<string, ViewNode[]>>(`/api/requests/${encodeURIComponent(id)}/views`, signal),
  trends: (minutes: number, signal?: AbortSignal) =>
    getJson<TrendsResult>(`/api/trends?minutes=${minutes}`, signal),
  baseline: (route: string, method: string | undefined, exclude: string | undefined) => {
    const p = new URLSearchParams({ route });
    if (method) p.set("method", method);
    if (exclude) p.set("exclude", exclude);
    return getJson<RouteBaseline>(`/api/baseline?${p}`);
  },
  health: (signal?: AbortSignal) => getJson<Health>("/api/health", signal),
  streamUrl: () => `${prefix}/api/stream`,
};

export const isAbort = (error: unknown) => error instanceof DOMException && error.name === "AbortError";
