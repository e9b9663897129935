import type { SqlSystem } from "../instrument/sql-event.js";
import { stripLiterals } from "./read-only.js";

const NOT_ALIASES = new Set([
  "where",
  "join",
  "on",
  "left",
  "right",
  "inner",
  "outer",
  "cross",
  "natural",
  "group",
  "order",
  "limit",
  "union",
  "using",
  "as",
  "window",
  "having",
]);

/**
 * The tables a query names after FROM/JOIN, keyed by the name plans use for them (the alias
 * when there is one). MySQL and SQLite plans name aliases; hints must name tables.
 *
 * @example
 * tableAliases("SELECT * FROM orders o JOIN customers AS c ON c.id = o.customer_id", "mysql");
 * // Map { "o" => "orders", "c" => "customers" }
 */
export function tableAliases(sql: string, system: SqlSystem): Map<string, string> {
  const out = new Map<string, string>();
  const stripped = stripLiterals(sql, system);
  if (typeof stripped !== "string") return out;
  for (const m of stripped.matchAll(/\b(?:from|join)\s+([a-z_]\w*)(?:\s+(?:as\s+)?([a-z_]\w*))?/gi)) {
    const table = m[1]!;
    const alias = m[2] && !NOT_ALIASES.has(m[2].toLowerCase()) ? m[2] : table;
    out.set(alias, table);
  }
  return out;
}
