import type { ExplainResult, GlassboxRecord, RecordSummary, RecordViews } from "./types.js";

/**
 * Thrown for an API answer that is not 2xx; `status` tells a missing record (404) from a failure,
 * `code` is the stable error code when the answer has one (`GBX_EXPLAIN_NOT_CONFIGURED`).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
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
  /** The session token state-changing routes need (`X-Glassbox-Token`); fetched once, then reused. */
  session(): Promise<string>;
  /** EXPLAIN a recorded query, named by record id and query id (never by SQL text). */
  explain(recordId: string, queryId: string, options?: { analyze?: boolean }): Promise<ExplainResult>;
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
  const call = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetchImpl(`${prefix}/api${path}`, {
      ...init,
      headers: { accept: "application/json", ...(init.headers as Record<string, string>) },
      credentials: "same-origin",
    });
    if (!res.ok) {
      const body = (await res.json().catch(() => undefined)) as
        | { error?: unknown; code?: unknown }
        | undefined;
      throw new ApiError(
        res.status,
        typeof body?.error === "string" ? body.error : `glassbox answered ${res.status}`,
        typeof body?.code === "string" ? body.code : undefined,
      );
    }
    return (await res.json()) as T;
  };
  const get = <T>(path: string) => call<T>(path);
  const rid = (id: string) => encodeURIComponent(id);
  // One token per page; forgotten when fetching it fails or the server no longer accepts it.
  let token: Promise<string> | undefined;
  const session = () => {
    token ??= get<{ token: string }>("/session").then(
      (body) => body.token,
      (error: unknown) => {
        token = undefined;
        throw error;
      },
    );
    return token;
  };
  const postExplain = async (recordId: string, queryId: string, analyze: boolean) =>
    call<ExplainResult>(`/requests/${rid(recordId)}/queries/${rid(queryId)}/explain`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-glassbox-token": await session() },
      body: JSON.stringify(analyze ? { analyze: true } : {}),
    });
  return {
    session,
    explain: async (recordId, queryId, options = {}) => {
      const analyze = options.analyze === true;
      try {
        return await postExplain(recordId, queryId, analyze);
      } catch (error) {
        // A restarted server has a new token: fetch it again, once.
        if (!(error instanceof ApiError) || error.code !== "GBX_EXPLAIN_TOKEN") throw error;
        token = undefined;
        return postExplain(recordId, queryId, analyze);
      }
    },
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
