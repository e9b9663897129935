import type { RecordSummary } from "../core/record.js";
/**
 * Trends: request rate and latency over time, aggregated by the store (SQL in SQLite, a single
 * pass in memory) so the dashboard never downloads raw records to draw a chart.
 */

export interface TrendsQuery {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  /** Width of one time bucket in ms (at least 1000). */
  bucketMs: number;
  service?: string;
  /** How many routes get a latency series (the busiest ones). Default 5. */
  seriesRoutes?: number;
  /** How many routes the slowest / most-queries tables list. Default 10. */
  tableRoutes?: number;
}

/** One route (method + pattern) over the whole window. */
export interface RouteTrend {
  /** "GET /users/:id"; the path when the framework told no route. */
  route: string;
  count: number;
  errors: number;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Average of the record's `sql.queries` stat (0 when the SQL panel is absent). */
  avgQueries: number;
  maxQueries: number;
}

export interface TrendsResult {
  from: number;
  to: number;
  bucketMs: number;
  /** Start of each bucket, epoch ms. */
  buckets: number[];
  /** Requests per bucket. */
  requests: number[];
  /** Responses with status >= 500 per bucket. */
  errors: number[];
  /** Latency per bucket for the busiest routes; null where a route had no request. */
  series: Array<{ route: string; p50Ms: (number | null)[]; p95Ms: (number | null)[] }>;
  slowest: RouteTrend[];
  mostQueries: RouteTrend[];
  total: number;
}

/** The few numbers trends need from one record. */
export interface TrendSample {
  startedAt: number;
  durationMs: number;
  status: number | undefined;
  method: string | undefined;
  route: string | undefined;
  path: string | undefined;
  queries: number;
}

/** The key a record is grouped under: method and route pattern, or the path without one. */
/** The numbers trends need from one record (or its summary). */
export function trendSample(
  r: Pick<RecordSummary, "startedAt" | "durationMs" | "status" | "method" | "route" | "path" | "stats">,
): TrendSample {
  return {
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    status: r.status,
    method: r.method,
    route: r.route,
    path: r.path,
    queries: r.stats["sql.queries"] ?? 0,
  };
}

export function routeKey(method: string | undefined, route: string | undefined, path: string | undefined) {
  return `${method ?? ""} ${route ?? path ?? "?"}`.trim();
}

/** Nearest-rank percentile rank (1-based) of `p` percent in `n` sorted values: ceil(n * p / 100). */
export function percentileRank(n: number, p: number): number {
  return Math.max(1, Math.floor((n * p + 99) / 100));
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Aggregates samples in one pass (plus a sort per group). The memory store uses it; SQLite does
 * the same arithmetic in SQL, and a test keeps the two in agreement.
 *
 * @example
 * const result = aggregateTrends(samples, { from: t0, to: t0 + 3_600_000, bucketMs: 60_000 });
 * result.requests; // requests per minute
 */
export function aggregateTrends(samples: Iterable<TrendSample>, query: TrendsQuery): TrendsResult {
  const shape = trendsShape(query);
  const requests = new Array<number>(shape.buckets.length).fill(0);
  const errors = new Array<number>(shape.buckets.length).fill(0);
  const byRoute = new Map<string, { durations: number[]; errors: number; queries: number; maxQ: number }>();
  const byRouteBucket = new Map<string, number[]>();
  let total = 0;
  for (const s of samples) {
    if (s.startedAt < query.from || s.startedAt >= query.to) continue;
    const b = Math.floor((s.startedAt - query.from) / shape.bucketMs);
    total++;
    requests[b]!++;
    const failed = (s.status ?? 0) >= 500;
    if (failed) errors[b]!++;
    const key = routeKey(s.method, s.route, s.path);
    let r = byRoute.get(key);
    if (!r) {
      r = { durations: [], errors: 0, queries: 0, maxQ: 0 };
      byRoute.set(key, r);
    }
    r.durations.push(s.durationMs);
    if (failed) r.errors++;
    r.queries += s.queries;
    r.maxQ = Math.max(r.maxQ, s.queries);
    const rb = `${b}\u0000${key}`;
    const list = byRouteBucket.get(rb);
    if (list) list.push(s.durationMs);
    else byRouteBucket.set(rb, [s.durationMs]);
  }
  const routes: RouteTrend[] = [];
  for (const [route, r] of byRoute) {
    const sorted = r.durations.sort((a, b) => a - b);
    const n = sorted.length;
    routes.push({
      route,
      count: n,
      errors: r.errors,
      avgMs: round(sorted.reduce((a, b) => a + b, 0) / n),
      p50Ms: sorted[percentileRank(n, 50) - 1]!,
      p95Ms: sorted[percentileRank(n, 95) - 1]!,
      maxMs: sorted[n - 1]!,
      avgQueries: round(r.queries / n),
      maxQueries: r.maxQ,
    });
  }
  const busiest = pickBusiest(routes, query.seriesRoutes ?? 5);
  const series = busiest.map((route) => {
    const p50Ms: (number | null)[] = [];
    const p95Ms: (number | null)[] = [];
    for (let b = 0; b < shape.buckets.length; b++) {
      const d = byRouteBucket.get(`${b}\u0000${route}`)?.sort((x, y) => x - y);
      p50Ms.push(d ? d[percentileRank(d.length, 50) - 1]! : null);
      p95Ms.push(d ? d[percentileRank(d.length, 95) - 1]! : null);
    }
    return { route, p50Ms, p95Ms };
  });
  return { ...shape, requests, errors, series, ...rankRoutes(routes, query.tableRoutes ?? 10), total };
}

/** The window and its bucket starts, shared by every implementation. */
export function trendsShape(query: TrendsQuery): Pick<TrendsResult, "from" | "to" | "bucketMs" | "buckets"> {
  // At most 2000 buckets, whatever the caller asks: a chart has no use for more.
  const bucketMs = Math.max(1000, Math.floor(query.bucketMs), Math.ceil((query.to - query.from) / 2000));
  const buckets: number[] = [];
  for (let t = query.from; t < query.to; t += bucketMs) buckets.push(t);
  return { from: query.from, to: query.to, bucketMs, buckets };
}

/** The routes with most requests (ties by name, so every store picks the same ones). */
export function pickBusiest(routes: readonly RouteTrend[], n: number): string[] {
  return [...routes]
    .sort((a, b) => b.count - a.count || (a.route < b.route ? -1 : 1))
    .slice(0, n)
    .map((r) => r.route);
}

/** The slowest (by p95) and most-queries (by average) tables. */
export function rankRoutes(
  routes: readonly RouteTrend[],
  n: number,
): Pick<TrendsResult, "slowest" | "mostQueries"> {
  const byName = (a: RouteTrend, b: RouteTrend) => (a.route < b.route ? -1 : 1);
  return {
    slowest: [...routes].sort((a, b) => b.p95Ms - a.p95Ms || byName(a, b)).slice(0, n),
    mostQueries: [...routes]
      .filter((r) => r.avgQueries > 0)
      .sort((a, b) => b.avgQueries - a.avgQueries || byName(a, b))
      .slice(0, n),
  };
}
