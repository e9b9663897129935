import { z } from "zod";
import { median as medianOf } from "../core/median.js";
import { queryShapes } from "../core/record-diff.js";
import type { Condition, Store } from "../store/store.js";
import { parseParams } from "./list-query.js";

const baselineParams = z.strictObject({
  route: z.string().min(1).max(2000),
  method: z.string().max(20).optional(),
  /** A record to leave out (the one being compared). */
  exclude: z
    .string()
    .regex(/^[\w-]{1,64}$/)
    .optional(),
  /** How many recent requests of the route make the baseline. */
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

/** What a route usually looks like, from its recent requests. */
export interface RouteBaseline {
  method?: string;
  route: string;
  /** How many requests it was computed from, and which. */
  samples: number;
  ids: string[];
  /** Medians. */
  durationMs: number;
  stats: Record<string, number>;
  /** The status most of them answered. */
  status?: number;
  /**
   * Query shapes seen in at least half of the samples, with their median count and time.
   * Undefined when none of the samples has SQL panel data.
   */
  queries?: Array<{ sql: string; count: number; totalMs: number; share: number }>;
}

// A route with no samples has a baseline of 0, not NaN.
const median = (values: number[]): number => (values.length === 0 ? 0 : medianOf(values));
const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * `GET {prefix}/api/baseline?route=/users/:id&method=GET&exclude=<id>`: the route's typical
 * request (median duration and stats, usual status, usual queries) from its most recent requests.
 *
 * @example
 * const base = await fetch("/__glassbox/api/baseline?route=%2Fusers%2F%3Aid&method=GET").then((r) => r.json());
 * base.durationMs; // median of the last 50 requests of GET /users/:id
 */
export async function routeBaseline(store: Store, params: URLSearchParams): Promise<RouteBaseline> {
  const p = parseParams(baselineParams, params);
  const where: Condition[] = [{ field: "route", op: "=", value: p.route }];
  if (p.method) where.push({ field: "method", op: "=", value: p.method.toUpperCase() });
  const limit = p.limit ?? 50;
  const page = await store.list({ where, kind: "request", limit: limit + 1 });
  const rows = page.records.filter((r) => r.id !== p.exclude).slice(0, limit);

  const statKeys = new Set(rows.flatMap((r) => Object.keys(r.stats)));
  const stats: Record<string, number> = {};
  for (const key of statKeys) stats[key] = round(median(rows.map((r) => r.stats[key] ?? 0)));
  const statusCounts = new Map<number, number>();
  for (const r of rows)
    if (r.status !== undefined) statusCounts.set(r.status, (statusCounts.get(r.status) ?? 0) + 1);
  const status = [...statusCounts].sort((a, b) => b[1] - a[1])[0]?.[0];

  const baseline: RouteBaseline = {
    route: p.route,
    samples: rows.length,
    ids: rows.map((r) => r.id),
    durationMs: round(median(rows.map((r) => r.durationMs))),
    stats,
  };
  if (p.method) baseline.method = p.method.toUpperCase();
  if (status !== undefined) baseline.status = status;
  const queries = await usualQueries(store, baseline.ids);
  if (queries) baseline.queries = queries;
  return baseline;
}

/** Query shapes present in at least half of the records that have SQL data. */
async function usualQueries(store: Store, ids: string[]): Promise<RouteBaseline["queries"]> {
  const seen = new Map<string, { counts: number[]; times: number[] }>();
  let withSql = 0;
  for (const id of ids) {
    const shapes = queryShapes((await store.get(id))?.panels);
    if (!shapes) continue;
    withSql++;
    for (const [sql, shape] of shapes) {
      const entry = seen.get(sql) ?? { counts: [], times: [] };
      entry.counts.push(shape.count);
      entry.times.push(shape.totalMs);
      seen.set(sql, entry);
    }
  }
  if (withSql === 0) return undefined;
  return [...seen]
    .filter(([, e]) => e.counts.length * 2 >= withSql)
    .map(([sql, e]) => ({
      sql,
      count: median(e.counts),
      totalMs: round(median(e.times)),
      share: round(e.counts.length / withSql),
    }));
}
