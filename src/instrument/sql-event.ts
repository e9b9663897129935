import type { CallSite } from "../core/callsite.js";
import type { BaseEvent } from "../core/context.js";

/** Which database a query went to. */
export type SqlSystem = "postgresql" | "mysql" | "sqlite";

/** One SQL statement as a driver ran it. Emitted by the pg, mysql2 and better-sqlite3 instrumentations. */
export interface SqlEvent extends BaseEvent {
  /** Unique within the process; EXPLAIN refers to a query by record id + this id, never by SQL text. */
  queryId: string;
  system: SqlSystem;
  /** "pg", "mysql2", "better-sqlite3". */
  driver: string;
  sql: string;
  /** Bound parameters, masked by the redaction rules and bounded in size. */
  params?: unknown[] | Record<string, unknown>;
  durationMs: number;
  /** Rows returned or affected, when the driver tells. */
  rows?: number;
  error?: string;
  /** Database name or SQLite file. */
  database?: string;
  /** host:port for network databases. */
  server?: string;
  callSite?: CallSite;
  /** The SQL text or params were cut to fit the limits. */
  truncated?: boolean;
  /** Prepared statement name (pg `name`), when the app gave one. */
  name?: string;
  /** The glassbox instance that recorded it; EXPLAIN refuses queries from any other. */
  instance?: string;
  /** "query", "execute" (mysql2), "run"/"get"/"all"/"iterate"/"exec" (better-sqlite3), "cursor" (pg submittables). */
  method?: string;
}

declare module "../core/context.js" {
  interface GlassboxEvents {
    sql: SqlEvent;
  }
}
