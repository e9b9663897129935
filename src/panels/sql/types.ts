import type { StackFrame } from "../../core/callsite.js";
import type { SqlEvent } from "../../instrument/sql-event.js";

/** A group of queries with the same normalized SQL (different parameters) from one call site. */
export interface SqlGroup {
  /** The SQL with literals and parameters replaced by `?`. */
  normalized: string;
  count: number;
  totalMs: number;
  callSite?: StackFrame;
  queryIds: string[];
}

export interface NPlusOneGroup extends SqlGroup {
  /** How to fix it, in one or two sentences (batch with IN/ANY, a JOIN, or eager loading). */
  suggestion: string;
}

/** What the SQL panel stores on a record (`record.panels.sql.data`). */
export interface SqlPanelData {
  queries: SqlEvent[];
  totalMs: number;
  /** Same SQL and same params run more than once. */
  duplicates: SqlGroup[];
  /** Same normalized SQL, different params. */
  similar: SqlGroup[];
  nplusone: NPlusOneGroup[];
  /** Queries over the slow threshold. */
  slow: string[];
  slowThresholdMs: number;
}
