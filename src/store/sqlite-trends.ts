import type Database from "better-sqlite3";
import {
  pickBusiest,
  type RouteTrend,
  rankRoutes,
  type TrendsQuery,
  type TrendsResult,
  trendsShape,
} from "./trends.js";

const round = (n: number) => Math.round(n * 1000) / 1000;

interface GroupRow {
  k: string;
  b: number;
  n: number;
  errors: number;
  sumMs: number;
  maxMs: number;
  sumQ: number;
  maxQ: number;
  /** Percentiles within this route and bucket. */
  p50b: number;
  p95b: number;
  /** Percentiles over the route's whole window: set on the one group holding that rank. */
  p50k: number | null;
  p95k: number | null;
}

/**
 * Trends computed inside SQLite in one pass over the window: nearest-rank percentiles with window
 * functions, grouped by route and bucket, so only (routes × buckets) rows leave the database
 * however many records there are. Same arithmetic as `aggregateTrends` (memory store).
 *
 * @example
 * const result = sqliteTrends(records.db, { from, to: Date.now(), bucketMs: 60_000 });
 */
export function sqliteTrends(db: Database.Database, query: TrendsQuery): TrendsResult {
  const shape = trendsShape(query);
  const params: Record<string, string | number> = {
    from: Math.floor(query.from),
    to: Math.ceil(query.to),
    bucket: shape.bucketMs,
  };
  if (query.service !== undefined) params.service = query.service;
  // A window holding most of the table is read faster by one scan than through the time index
  // (both counts below are answered from that index alone).
  const inWindow = db
    .prepare("SELECT count(*) AS n FROM records WHERE started_at >= @from AND started_at < @to")
    .get(params) as { n: number };
  const all = db.prepare("SELECT count(*) AS n FROM records").get() as { n: number };
  const at = inWindow.n * 3 > all.n ? "+started_at" : "started_at";
  const rows = db
    .prepare(
      `WITH base AS (
         SELECT trim(coalesce(method, '') || ' ' || coalesce(route, path, '?')) AS k,
                CAST((started_at - @from) / @bucket AS INTEGER) AS b,
                duration_ms AS d,
                (coalesce(status, 0) >= 500) AS e,
                coalesce(json_extract(stats, '$."sql.queries"'), 0) AS q
         FROM records
         WHERE kind = 'request' AND ${at} >= @from AND ${at} < @to
           ${query.service !== undefined ? "AND service = @service" : ""}
       )
       SELECT k, b, count(*) AS n, sum(e) AS errors, sum(d) AS sumMs, max(d) AS maxMs,
              sum(q) AS sumQ, max(q) AS maxQ,
              max(CASE WHEN rb = (cb * 50 + 99) / 100 THEN d END) AS p50b,
              max(CASE WHEN rb = (cb * 95 + 99) / 100 THEN d END) AS p95b,
              max(CASE WHEN rk = (ck * 50 + 99) / 100 THEN d END) AS p50k,
              max(CASE WHEN rk = (ck * 95 + 99) / 100 THEN d END) AS p95k
       FROM (SELECT k, b, d, e, q,
                    row_number() OVER (PARTITION BY k ORDER BY d) AS rk,
                    count(*) OVER (PARTITION BY k) AS ck,
                    row_number() OVER (PARTITION BY k, b ORDER BY d) AS rb,
                    count(*) OVER (PARTITION BY k, b) AS cb
             FROM base)
       GROUP BY k, b`,
    )
    .all(params) as GroupRow[];

  const requests = new Array<number>(shape.buckets.length).fill(0);
  const errors = new Array<number>(shape.buckets.length).fill(0);
  const byRoute = new Map<string, { rows: GroupRow[]; trend: RouteTrend; sumMs: number; sumQ: number }>();
  let total = 0;
  for (const row of rows) {
    if (row.b < 0 || row.b >= requests.length) continue;
    requests[row.b]! += row.n;
    errors[row.b]! += row.errors;
    total += row.n;
    let r = byRoute.get(row.k);
    if (!r) {
      const trend: RouteTrend = {
        route: row.k,
        count: 0,
        errors: 0,
        avgMs: 0,
        p50Ms: 0,
        p95Ms: 0,
        maxMs: row.maxMs,
        avgQueries: 0,
        maxQueries: row.maxQ,
      };
      r = { rows: [], trend, sumMs: 0, sumQ: 0 };
      byRoute.set(row.k, r);
    }
    r.rows.push(row);
    r.sumMs += row.sumMs;
    r.sumQ += row.sumQ;
    r.trend.count += row.n;
    r.trend.errors += row.errors;
    r.trend.maxMs = Math.max(r.trend.maxMs, row.maxMs);
    r.trend.maxQueries = Math.max(r.trend.maxQueries, row.maxQ);
    if (row.p50k !== null) r.trend.p50Ms = row.p50k;
    if (row.p95k !== null) r.trend.p95Ms = row.p95k;
  }
  const routes: RouteTrend[] = [];
  for (const r of byRoute.values()) {
    r.trend.avgMs = round(r.sumMs / r.trend.count);
    r.trend.avgQueries = round(r.sumQ / r.trend.count);
    routes.push(r.trend);
  }
  const series = pickBusiest(routes, query.seriesRoutes ?? 5).map((route) => {
    const p50Ms = new Array<number | null>(shape.buckets.length).fill(null);
    const p95Ms = new Array<number | null>(shape.buckets.length).fill(null);
    for (const row of byRoute.get(route)!.rows) {
      p50Ms[row.b] = row.p50b;
      p95Ms[row.b] = row.p95b;
    }
    return { route, p50Ms, p95Ms };
  });
  return { ...shape, requests, errors, series, ...rankRoutes(routes, query.tableRoutes ?? 10), total };
}
