import type { GlassboxRecord, RecordSummary, RecordViews } from "./types.js";

/** Thrown for an API answer that is not 2xx; `status` tells a missing record (404) from a failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface GlassboxApi {
  /** One full record. */
  record(id: string): Promise<GlassboxRecord>;
  /** Every panel's view of one record. */
  views(id: string): Promise<RecordViews>;
  /** A page of summaries; `query` is the list endpoint's query string parameters. */
  list(query?: Record<string, string | number>): Promise<{ requests: RecordSummary[]; total: number }>;
}

type Fetch = typeof fetch;

/**
 * A client for glassbox's JSON API under `prefix`. Takes the fetch to use, so the toolbar can
 * pass the page's original fetch (its own calls must not show up as the page's traffic).
 *
 * @example
 * const api = createApi("/__glassbox");
 * const record = await api.record(id);
 */
export function createApi(prefix: string, fetchImpl: Fetch = fetch.bind(globalThis)): GlassboxApi {
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetchImpl(`${prefix}/api${path}`, {
      headers: { accept: "application/json" },
      credentials: "same-origin",
    });
    if (!res.ok) {
      const body = (await res.json().catch(() => undefined)) as { error?: string } | undefined;
      throw new ApiError(res.status, body?.error ?? `glassbox answered ${res.status}`);
    }
    return (await res.json()) as T;
  };
  const rid = (id: string) => encodeURIComponent(id);
  return {
    record: (id) => get(`/requests/${rid(id)}`),
    views: (id) => get(`/requests/${rid(id)}/views`),
    list: (query = {}) => {
      const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
      return get(`/requests${qs ? `?${qs}` : ""}`);
    },
  };
}

/**
 * Retries `load` while it fails with 404: a record is stored when its response finishes, which
 * can be a moment after the browser has the response headers.
 *
 * @example
 * const record = await whenStored(() => api.record(id));
 */
export async function whenStored<T>(load: () => Promise<T>, attempts = 12, delayMs = 150): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await load();
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404 || i >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
