import { z } from "zod";
import type { Store } from "../store/store.js";
import {
  aggregateTrends,
  type TrendSample,
  type TrendsQuery,
  type TrendsResult,
  trendSample,
} from "../store/trends.js";
import { parseParams } from "./list-query.js";

const trendsParams = z.strictObject({
  /** Window length in minutes: 5 minutes to 7 days. */
  minutes: z.coerce.number().int().min(5).max(10_080).optional(),
  /** Bucket width in seconds; default: the window split in 60. */
  bucket: z.coerce.number().int().min(1).max(86_400).optional(),
  /** End of the window, epoch ms; default: just after the newest request. */
  to: z.coerce.number().int().min(0).optional(),
  service: z.string().max(200).optional(),
});

/** Most records the fallback reads when a store cannot aggregate by itself. */
const FALLBACK_LIMIT = 20_000;

/**
 * `GET {prefix}/api/trends?minutes=60`: requests per bucket, p50/p95 latency per busy route over
 * time, slowest routes and routes with most queries. The window ends at the newest request by
 * default, so an app that was idle for a while still shows its last hour of activity.
 *
 * @example
 * const trends = await fetch("/__glassbox/api/trends?minutes=60").then((r) => r.json());
 * trends.requests; // one count per minute
 */
export async function trendsFor(store: Store, params: URLSearchParams): Promise<TrendsResult> {
  const p = parseParams(trendsParams, params);
  const windowMs = (p.minutes ?? 60) * 60_000;
  const bucketMs = p.bucket ? p.bucket * 1000 : Math.max(60_000, Math.ceil(windowMs / 60 / 60_000) * 60_000);
  let to = p.to;
  if (to === undefined) {
    const newest = await store.list({
      limit: 1,
      kind: "request",
      ...(p.service ? { where: [serviceIs(p.service)] } : {}),
    });
    const last = newest.records[0]?.startedAt ?? Date.now();
    to = Math.ceil((last + 1) / bucketMs) * bucketMs;
  }
  const query: TrendsQuery = { from: to - windowMs, to, bucketMs };
  if (p.service) query.service = p.service;
  return store.trends ? store.trends(query) : aggregateFromPages(store, query);
}

function serviceIs(service: string) {
  return { field: "service" as const, op: "=" as const, value: service };
}

/** For stores without `trends`: reads the window's summaries page by page (bounded) and aggregates. */
async function aggregateFromPages(store: Store, query: TrendsQuery): Promise<TrendsResult> {
  const samples: TrendSample[] = [];
  const where = [
    { field: "startedAt" as const, op: ">=" as const, value: query.from },
    { field: "startedAt" as const, op: "<" as const, value: query.to },
    ...(query.service ? [serviceIs(query.service)] : []),
  ];
  for (let offset = 0; offset < FALLBACK_LIMIT; offset += 1000) {
    const page = await store.list({ where, kind: "request", limit: 1000, offset });
    for (const r of page.records) {
      samples.push(trendSample(r));
    }
    if (page.records.length < 1000) break;
  }
  return aggregateTrends(samples, query);
}
