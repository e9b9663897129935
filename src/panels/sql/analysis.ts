import type { StackFrame } from "../../core/callsite.js";
import type { SqlEvent } from "../../instrument/sql-event.js";
import { normalizeSql } from "./normalize.js";
import { suggestFix } from "./suggest.js";
import type { NPlusOneGroup, SqlGroup } from "./types.js";

export interface SqlAnalysis {
  duplicates: SqlGroup[];
  similar: SqlGroup[];
  nplusone: NPlusOneGroup[];
  /** Query ids over the slow threshold. */
  slow: string[];
  /** Queries that repeat an earlier one with the same SQL and params. */
  duplicateCount: number;
  /** Queries that repeat an earlier one's shape with other params. */
  similarCount: number;
}

export interface AnalysisOptions {
  slowMs: number;
  nPlusOneThreshold: number;
}

interface Bucket {
  normalized: string;
  queries: SqlEvent[];
}

/**
 * Finds what is worth fixing in one request's queries: exact duplicates, similar queries (same
 * shape, other values), N+1 groups (one shape run at least `nPlusOneThreshold` times from one
 * call site) and slow queries. Reads only the events, so it runs the same on stored data.
 *
 * @example
 * const { nplusone } = analyzeQueries(ctx.events("sql"), { slowMs: 100, nPlusOneThreshold: 5 });
 */
export function analyzeQueries(queries: readonly SqlEvent[], options: AnalysisOptions): SqlAnalysis {
  const exact = new Map<string, SqlEvent[]>();
  const shapes = new Map<string, Bucket>();
  const sites = new Map<string, Bucket>();
  const slow: string[] = [];
  // An N+1 loop repeats one text: normalize (a dozen regex passes) once per distinct text.
  const normalizedOf = new Map<string, string>();
  const normalize = (sql: string): string => {
    let n = normalizedOf.get(sql);
    if (n === undefined) {
      n = normalizeSql(sql);
      normalizedOf.set(sql, n);
    }
    return n;
  };
  for (const q of queries) {
    if (q.durationMs >= options.slowMs) slow.push(q.queryId);
    push(exact, `${q.sql}\u0000${paramsKey(q)}`, q);
    const normalized = normalize(q.sql);
    pushBucket(shapes, normalized, normalized, q);
    const frame = q.callSite?.frame;
    if (frame) pushBucket(sites, `${normalized}\u0000${frameKey(frame)}`, normalized, q);
  }

  const duplicates: SqlGroup[] = [];
  let duplicateCount = 0;
  for (const group of exact.values()) {
    if (group.length < 2) continue;
    duplicates.push(toGroup(normalize(group[0]!.sql), group));
    duplicateCount += group.length - 1;
  }

  const similar: SqlGroup[] = [];
  let similarCount = 0;
  for (const bucket of shapes.values()) {
    const distinct = new Set(bucket.queries.map(paramsKey)).size;
    const distinctSql = new Set(bucket.queries.map((q) => q.sql)).size;
    if (bucket.queries.length < 2 || (distinct < 2 && distinctSql < 2)) continue;
    similar.push(toGroup(bucket.normalized, bucket.queries));
    similarCount += bucket.queries.length - 1;
  }

  const nplusone: NPlusOneGroup[] = [];
  for (const bucket of sites.values()) {
    if (bucket.queries.length < options.nPlusOneThreshold) continue;
    const group = toGroup(bucket.normalized, bucket.queries);
    nplusone.push({ ...group, suggestion: suggestFix(bucket.normalized, bucket.queries[0]!) });
  }

  const byCost = (a: SqlGroup, b: SqlGroup) => b.totalMs - a.totalMs || b.count - a.count;
  return {
    duplicates: duplicates.sort(byCost),
    similar: similar.sort(byCost),
    nplusone: nplusone.sort(byCost),
    slow,
    duplicateCount,
    similarCount,
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function pushBucket(map: Map<string, Bucket>, key: string, normalized: string, q: SqlEvent): void {
  const bucket = map.get(key);
  if (bucket) bucket.queries.push(q);
  else map.set(key, { normalized, queries: [q] });
}

function paramsKey(q: SqlEvent): string {
  try {
    return q.params === undefined ? "" : JSON.stringify(q.params);
  } catch {
    return String(q.queryId);
  }
}

const frameKey = (f: StackFrame) => `${f.file}:${f.line}:${f.column}`;

function toGroup(normalized: string, queries: SqlEvent[]): SqlGroup {
  let totalMs = 0;
  for (const q of queries) totalMs += q.durationMs;
  const group: SqlGroup = {
    normalized,
    count: queries.length,
    totalMs: Math.round(totalMs * 1000) / 1000,
    queryIds: queries.map((q) => q.queryId),
  };
  const frame = commonFrame(queries);
  if (frame) group.callSite = frame;
  return group;
}

/** The call site the queries share, else the first query's. */
function commonFrame(queries: SqlEvent[]): StackFrame | undefined {
  return queries[0]?.callSite?.frame ?? queries.find((q) => q.callSite?.frame)?.callSite?.frame;
}
