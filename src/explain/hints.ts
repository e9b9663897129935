import type { SqlSystem } from "../instrument/sql-event.js";
import { type Plan, type PlanNode, walkPlan } from "./plan.js";
import { stripLiterals } from "./read-only.js";

/** Something in a plan worth a developer's attention, with what to do about it. */
export interface PlanHint {
  kind: "full-scan" | "missing-index";
  table: string;
  message: string;
  /** Rows in the table (estimated), for full scans. */
  rows?: number;
  /** Filtered or joined columns with no index used, for missing-index hints. */
  columns?: string[];
  /** A statement the developer can consider running. */
  suggestion?: string;
}

/**
 * Flags full table scans of tables with at least `threshold` rows, and for each one the columns
 * the query filters or joins that table on: an index on them would let the database avoid the
 * scan. Columns come from the plan's own conditions (PostgreSQL) and from the recorded SQL.
 *
 * @example
 * planHints(plan, "SELECT * FROM users WHERE email = $1", "postgresql", 1000);
 * // [{ kind: "full-scan", table: "users", rows: 50000, ... },
 * //  { kind: "missing-index", table: "users", columns: ["email"], suggestion: "CREATE INDEX users_email_idx ON users (email);" }]
 */
export function planHints(plan: Plan, sql: string, system: SqlSystem, threshold: number): PlanHint[] {
  const hints: PlanHint[] = [];
  const seen = new Set<string>();
  const fromSql = sqlPredicateColumns(sql, system);
  const conditions = [...walkPlan(plan.root)].flatMap(({ node }) =>
    (node.conditions ?? []).map((text) => ({ node, text })),
  );
  for (const { node } of walkPlan(plan.root)) {
    if (!node.fullScan || !node.table) continue;
    const key = `${node.table}\0${node.alias ?? ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const rows = plan.tableRows[node.table] ?? scannedRows(node);
    if (rows === undefined || rows < threshold) continue;
    hints.push({
      kind: "full-scan",
      table: node.table,
      rows,
      message: `Full scan of ${node.table} (about ${Math.round(rows)} rows): every row is read.`,
    });
    const names = new Set([node.table.toLowerCase(), (node.alias ?? node.table).toLowerCase()]);
    const columns = new Set<string>();
    for (const { node: owner, text } of conditions) {
      for (const ref of predicateColumns(text)) {
        const own = owner === node && ref.qualifier === undefined;
        if (own || (ref.qualifier !== undefined && names.has(ref.qualifier))) columns.add(ref.column);
      }
    }
    const singleTable = fromSql.tables.size <= 1;
    for (const ref of fromSql.columns) {
      if (ref.qualifier ? names.has(ref.qualifier) : singleTable) columns.add(ref.column);
    }
    if (columns.size === 0) continue;
    const list = [...columns];
    hints.push({
      kind: "missing-index",
      table: node.table,
      columns: list,
      message: `${node.table} is filtered or joined on ${list.join(", ")} without an index.`,
      suggestion: list
        .map((c) => `CREATE INDEX ${indexName(node.table!, c)} ON ${node.table} (${c});`)
        .join("\n"),
    });
  }
  return hints;
}

/** A name every database accepts for a suggested index (MySQL and SQLite require one). */
function indexName(table: string, column: string): string {
  return `${table}_${column}_idx`.replace(/[^\w]/g, "_").slice(0, 60);
}

/** Rows a full-scan node reads, when the database did not tell the table's size. */
function scannedRows(node: PlanNode): number | undefined {
  const removed = node.details?.["Rows Removed by Filter"];
  if (node.actualRows !== undefined && typeof removed === "number")
    return (node.actualRows + removed) * (node.loops ?? 1);
  return node.estimatedRows;
}

interface ColumnRef {
  qualifier?: string;
  column: string;
}

const NOT_COLUMNS = new Set([
  "and",
  "or",
  "not",
  "null",
  "true",
  "false",
  "is",
  "in",
  "like",
  "between",
  "select",
  "where",
  "on",
  "case",
  "when",
  "then",
  "else",
  "end",
  "exists",
  "any",
  "all",
]);
const CASTS =
  /::\s*(?:character varying|double precision|timestamp with(?:out)? time zone|[a-z_]\w*)(?:\[\])?/gi;
const PREDICATE =
  /(?:\b([a-z_]\w*)\s*\.\s*)?\b([a-z_]\w*)\s*\)?\s*(?:=|<>|!=|<=|>=|<|>|!?~~\*?|\blike\b|\bilike\b|\bin\b|\bbetween\b|\bis\b)/gi;

/** Columns compared in a condition: `(email = 'a')`, `(b.author_id = a.id)`, `x IN (...)`. */
function predicateColumns(text: string): ColumnRef[] {
  const out: ColumnRef[] = [];
  const clean = text.replace(CASTS, "");
  const add = (qualifier: string | undefined, column: string) => {
    const c = column.toLowerCase();
    if (NOT_COLUMNS.has(c)) return;
    out.push(qualifier ? { qualifier: qualifier.toLowerCase(), column: c } : { column: c });
  };
  for (const m of clean.matchAll(PREDICATE)) add(m[1], m[2]!);
  // The right-hand side of a join condition is a column too: `a.id = b.author_id`.
  for (const m of clean.matchAll(/(?:=|<>|<=|>=|<|>)\s*\(?\s*([a-z_]\w*)\s*\.\s*([a-z_]\w*)\b(?!\s*\()/gi))
    add(m[1], m[2]!);
  return out;
}

/** Columns the recorded SQL filters or joins on (after WHERE / ON), and the tables it names. */
function sqlPredicateColumns(sql: string, system: SqlSystem): { columns: ColumnRef[]; tables: Set<string> } {
  const stripped = stripLiterals(sql, system);
  if (typeof stripped !== "string") return { columns: [], tables: new Set() };
  const tables = new Set<string>();
  for (const m of stripped.matchAll(/\b(?:from|join)\s+([a-z_][\w.]*)/gi)) tables.add(m[1]!.toLowerCase());
  const columns: ColumnRef[] = [];
  // Only the predicate parts: from each WHERE/ON/HAVING to the next clause keyword.
  const clause =
    /\b(?:where|on|having)\b([\s\S]*?)(?=\b(?:group|order|limit|offset|having|union|window|join|left|right|inner|outer|cross|fetch|returning)\b|\)\s*(?:select|$)|$)/gi;
  for (const m of stripped.matchAll(clause)) columns.push(...predicateColumns(m[1]!));
  return { columns, tables };
}
