/** The list page's filters: kept in the URL hash (shareable, survive reload) and sent to the API. */

export interface ListFilters {
  method: string;
  /** "", "2xx", "3xx", "4xx", "5xx". */
  status: string;
  path: string;
  route: string;
  /** Milliseconds, as typed ("" when unset). */
  minDurationMs: string;
  hasAlerts: boolean;
  /** The one-line query (`status:>=500 route:/api/*`). */
  q: string;
  sort: string;
  dir: "asc" | "desc";
  page: number;
  size: number;
}

export const PAGE_SIZES = [50, 100, 200] as const;
const SORTS = new Set(["startedAt", "durationMs", "status", "method", "path", "route", "alerts"]);

/**
 * Filters from the hash's parameters; anything malformed falls back to its default.
 *
 * @example
 * readFilters(new URLSearchParams("status=5xx&sort=durationMs")).status; // "5xx"
 */
export function readFilters(params: URLSearchParams): ListFilters {
  const size = Number(params.get("size"));
  const page = Number(params.get("page"));
  const sort = params.get("sort") ?? "startedAt";
  return {
    method: (params.get("method") ?? "").toUpperCase(),
    status: /^[1-5]xx$/.test(params.get("status") ?? "") ? params.get("status")! : "",
    path: params.get("path") ?? "",
    route: params.get("route") ?? "",
    minDurationMs: /^\d+(\.\d+)?$/.test(params.get("min") ?? "") ? params.get("min")! : "",
    hasAlerts: params.get("alerts") === "1",
    q: params.get("q") ?? "",
    sort: SORTS.has(sort) ? sort : "startedAt",
    dir: params.get("dir") === "asc" ? "asc" : "desc",
    page: Number.isInteger(page) && page > 0 ? page : 0,
    size: (PAGE_SIZES as readonly number[]).includes(size) ? size : 50,
  };
}

/** The hash parameters for some filters (defaults left out, so links stay short). */
export function filtersToHash(f: ListFilters): Record<string, string | undefined> {
  return {
    method: f.method || undefined,
    status: f.status || undefined,
    path: f.path || undefined,
    route: f.route || undefined,
    min: f.minDurationMs || undefined,
    alerts: f.hasAlerts ? "1" : undefined,
    q: f.q || undefined,
    sort: f.sort === "startedAt" ? undefined : f.sort,
    dir: f.dir === "desc" ? undefined : f.dir,
    page: f.page ? String(f.page) : undefined,
    size: f.size === 50 ? undefined : String(f.size),
  };
}

/**
 * The `/api/requests` query string for some filters.
 *
 * @example
 * apiParams({ ...defaults, status: "5xx" }).toString(); // "limit=50&offset=0&status=5xx&..."
 */
export function apiParams(f: ListFilters): URLSearchParams {
  const p = new URLSearchParams({ limit: String(f.size), offset: String(f.page * f.size) });
  if (f.method) p.set("method", f.method);
  if (f.status) p.set("status", f.status);
  if (f.path.trim()) p.set("path", f.path.trim());
  if (f.route.trim()) p.set("route", f.route.trim());
  if (f.minDurationMs) p.set("minDurationMs", f.minDurationMs);
  if (f.hasAlerts) p.set("hasAlerts", "true");
  if (f.q.trim()) p.set("q", f.q.trim());
  p.set("sort", f.sort);
  p.set("dir", f.dir);
  return p;
}

/** Whether anything narrows the list (live rows then need the server to say if they match). */
export function isFiltered(f: ListFilters): boolean {
  return Boolean(f.method || f.status || f.path || f.route || f.minDurationMs || f.hasAlerts || f.q);
}
