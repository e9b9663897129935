import type { GlassboxRecord, RecordKind, RecordSummary } from "../core/record.js";
import type { TrendsQuery, TrendsResult } from "./trends.js";

/**
 * The one query API every reader uses: dashboard, toolbar, JSON API, MCP, exporters, CLI.
 * It does not depend on a running app, so `glassbox serve` can open the same store alone.
 */

/** A field a condition can test: a summary column, or a stat key such as "sql.queries". */
export type ConditionField =
  | "method"
  | "path"
  | "route"
  | "status"
  | "durationMs"
  | "service"
  | "kind"
  | "startedAt"
  | "alerts"
  | "traceId"
  | `stats.${string}`;

export type ConditionOp = "=" | "!=" | ">" | ">=" | "<" | "<=" | "contains" | "glob";

export interface Condition {
  field: ConditionField;
  op: ConditionOp;
  value: string | number;
}

export type SortField = "startedAt" | "durationMs" | "status" | "method" | "path" | "route" | "alerts";

export interface RecordQuery {
  /** All must hold. */
  where?: Condition[];
  kind?: RecordKind;
  /** Default 50, at most 1000. */
  limit?: number;
  offset?: number;
  /** Default newest first. */
  sort?: { field: SortField; dir: "asc" | "desc" };
}

export interface RecordPage {
  records: RecordSummary[];
  /** How many records match, ignoring limit and offset. */
  total: number;
}

export interface StoreHealth {
  backend: string;
  /** Records the store holds now. */
  records: number;
  /** Records waiting to be written. */
  queued: number;
  /** Records dropped because the write queue was full. Never silently: this counts every one. */
  dropped: number;
  /** Records removed by retention (count or age). */
  pruned: number;
  written: number;
  writeErrors: number;
  lastError?: string;
  path?: string;
}

export interface Store {
  /** Hands a finished record to the store. Synchronous and cheap: the write happens later. */
  add(record: GlassboxRecord): void;
  list(query?: RecordQuery): Promise<RecordPage>;
  get(id: string): Promise<GlassboxRecord | undefined>;
  health(): Promise<StoreHealth>;
  /** Writes everything queued. */
  flush(): Promise<void>;
  /** Removes every record. */
  clear(): Promise<void>;
  close(): Promise<void>;
  /** Applies retention (count and age) now; returns how many records went. Stores may prune on their own only. */
  prune?(): Promise<number>;
  /**
   * Request rate and latency over time, aggregated by the store (dashboard trends page).
   * Optional: readers fall back to aggregating `list` pages when a store has no native version.
   */
  trends?(query: TrendsQuery): Promise<TrendsResult>;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.max(0, Math.min(MAX_LIMIT, Math.floor(limit)));
}
