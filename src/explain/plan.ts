/**
 * One shape for the plans of PostgreSQL, MySQL/MariaDB and SQLite, so hints, text and views
 * are written once. Each runner converts its database's output into a PlanNode tree.
 */

export interface PlanNode {
  /** What the database does here: "Seq Scan", "Hash Join", "ALL", "SCAN users". */
  operation: string;
  /** The real table name, when the node reads one. */
  table?: string;
  /** The name the query gave the table, when it differs. */
  alias?: string;
  index?: string;
  /** Rows the planner expects this node to produce (MySQL: rows it expects to examine). */
  estimatedRows?: number;
  /** The planner's total cost estimate (PostgreSQL). */
  cost?: number;
  /** EXPLAIN ANALYZE: rows produced per loop, milliseconds per loop, loops. */
  actualRows?: number;
  actualMs?: number;
  loops?: number;
  /** Conditions as the database prints them, each with its label ("Filter: (email = 'a'::text)"). */
  conditions?: string[];
  /** The node reads every row of `table` without an index. */
  fullScan?: boolean;
  /** Everything else the database said about the node, for the reader. */
  details?: Record<string, string | number | boolean>;
  children: PlanNode[];
}

/** A finished plan: the tree plus the database's overall figures. */
export interface Plan {
  root: PlanNode;
  planningMs?: number;
  executionMs?: number;
  /** Rows in each table the plan scans in full, as the database estimates them. */
  tableRows: Record<string, number>;
}

/** Every node of a tree, depth-first, with its depth. */
export function* walkPlan(node: PlanNode, depth = 0): Generator<{ node: PlanNode; depth: number }> {
  yield { node, depth };
  for (const child of node.children) yield* walkPlan(child, depth + 1);
}

/**
 * The plan as indented text, one node per line with its conditions beneath, in the spirit of
 * PostgreSQL's own EXPLAIN output.
 *
 * @example
 * planText({ operation: "Seq Scan", table: "users", estimatedRows: 10, children: [] });
 * // "Seq Scan on users  (rows=10)"
 */
export function planText(root: PlanNode): string {
  const lines: string[] = [];
  for (const { node, depth } of walkPlan(root)) {
    const pad = depth === 0 ? "" : `${"  ".repeat(depth * 2 - 1)}-> `;
    lines.push(`${pad}${nodeLine(node)}`);
    const under = " ".repeat(pad.length + 4);
    for (const condition of node.conditions ?? []) lines.push(`${under}${condition}`);
  }
  return lines.join("\n");
}

/** One node's headline: operation, table, index and figures. */
export function nodeLine(node: PlanNode): string {
  let line = node.operation;
  if (node.table) line += ` on ${node.table}${node.alias ? ` ${node.alias}` : ""}`;
  if (node.index) line += ` using ${node.index}`;
  const figures: string[] = [];
  if (node.cost !== undefined) figures.push(`cost=${node.cost}`);
  if (node.estimatedRows !== undefined) figures.push(`rows=${node.estimatedRows}`);
  if (figures.length) line += `  (${figures.join(" ")})`;
  if (node.actualRows !== undefined || node.actualMs !== undefined) {
    const actual: string[] = [];
    if (node.actualMs !== undefined) actual.push(`time=${node.actualMs} ms`);
    if (node.actualRows !== undefined) actual.push(`rows=${node.actualRows}`);
    if (node.loops !== undefined) actual.push(`loops=${node.loops}`);
    line += ` (actual ${actual.join(" ")})`;
  }
  return line;
}
