/**
 * What the compare page shows as different between two requests, computed from stored records.
 * Pure functions, no DOM: the dashboard and the baseline endpoint share them.
 */
import { normalizeSql } from "../panels/sql/normalize.js";

export { normalizeSql };

export interface QueryShape {
  count: number;
  totalMs: number;
}

/**
 * The SQL panel's queries of a record, grouped by normalized text. Undefined when the record
 * has no SQL panel data (the panel is not installed, or failed), so "no queries" and
 * "not recorded" stay apart.
 *
 * @example
 * const shapes = queryShapes(record.panels); // Map { "select * from users where id = ?" => { count: 3, totalMs: 4.2 } }
 */
export function queryShapes(
  panels: Record<string, { data?: unknown }> | undefined,
): Map<string, QueryShape> | undefined {
  const data = panels?.sql?.data;
  if (!data || typeof data !== "object") return undefined;
  const queries = (data as { queries?: unknown }).queries;
  if (!Array.isArray(queries)) return undefined;
  const out = new Map<string, QueryShape>();
  for (const q of queries) {
    if (!q || typeof q !== "object") continue;
    const { sql, durationMs } = q as { sql?: unknown; durationMs?: unknown };
    if (typeof sql !== "string") continue;
    const key = normalizeSql(sql);
    const shape = out.get(key) ?? { count: 0, totalMs: 0 };
    shape.count++;
    shape.totalMs += typeof durationMs === "number" && Number.isFinite(durationMs) ? durationMs : 0;
    out.set(key, shape);
  }
  return out;
}

export type Change = "same" | "new" | "missing" | "more" | "fewer";

export interface QueryDiffRow {
  sql: string;
  a: QueryShape | undefined;
  b: QueryShape | undefined;
  /** Seen from A to B: "new" exists only in B, "missing" only in A. */
  change: Change;
}

/**
 * Lines up two sets of query shapes: changed rows first (new, missing, count differs), then the same.
 *
 * @example
 * diffQueries(queryShapes(a.panels)!, queryShapes(b.panels)!).filter((r) => r.change === "new");
 */
export function diffQueries(a: Map<string, QueryShape>, b: Map<string, QueryShape>): QueryDiffRow[] {
  const rows: QueryDiffRow[] = [];
  for (const sql of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(sql);
    const y = b.get(sql);
    const change: Change = !x
      ? "new"
      : !y
        ? "missing"
        : x.count < y.count
          ? "more"
          : x.count > y.count
            ? "fewer"
            : "same";
    rows.push({ sql, a: x, b: y, change });
  }
  const order: Record<Change, number> = { new: 0, missing: 1, more: 2, fewer: 2, same: 3 };
  return rows.sort((r, s) => order[r.change] - order[s.change]);
}

export interface ValueDiffRow {
  key: string;
  a: string | undefined;
  b: string | undefined;
  differs: boolean;
}

/**
 * Key-by-key comparison of two flat maps (headers, stats); differing keys first, then by name.
 *
 * @example
 * diffValues({ "content-type": "text/html" }, { "content-type": "application/json" });
 */
export function diffValues(
  a: Record<string, unknown> | undefined,
  b: Record<string, unknown> | undefined,
): ValueDiffRow[] {
  const text = (v: unknown): string | undefined =>
    v === undefined || v === null ? undefined : Array.isArray(v) ? v.map(String).join(", ") : String(v);
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  const rows = [...keys].map((key) => {
    const x = text(a?.[key]);
    const y = text(b?.[key]);
    return { key, a: x, b: y, differs: x !== y };
  });
  return rows.sort((r, s) => Number(s.differs) - Number(r.differs) || (r.key < s.key ? -1 : 1));
}

/** "+12.5 ms (+40%)" style delta from A to B; empty when equal. */
export function describeDelta(a: number | undefined, b: number | undefined, unit = ""): string {
  if (a === undefined || b === undefined || a === b) return "";
  const d = b - a;
  const sign = d > 0 ? "+" : "−";
  const abs = Math.abs(d);
  const amount = Number.isInteger(abs) ? String(abs) : abs.toFixed(1);
  const pct = a !== 0 ? ` (${sign}${Math.round((Math.abs(d) / Math.abs(a)) * 100)}%)` : "";
  return `${sign}${amount}${unit}${pct}`;
}
