import { type ViewNode, type ViewValue, view } from "../core/view.js";
import type { ExplainResult } from "./explain-query.js";
import { nodeLine, walkPlan } from "./plan.js";

const SYSTEM_NAMES = { postgresql: "PostgreSQL", mysql: "MySQL/MariaDB", sqlite: "SQLite" } as const;

/**
 * An EXPLAIN result as view nodes: hints first (what to do), then the figures, the plan as
 * text and as a table of nodes, and the statement that was planned.
 *
 * @example
 * const nodes = explainView(result); // render with the toolbar's shared view components
 */
export function explainView(result: Omit<ExplainResult, "view">): ViewNode[] {
  const nodes: ViewNode[] = [];
  if (result.hints.length === 0) nodes.push(view.badge("No full scans of large tables", "ok"));
  for (const hint of result.hints) {
    const items: ViewNode[] = [view.text(hint.message, "warning")];
    if (hint.suggestion) items.push(view.code("sql", hint.suggestion));
    nodes.push({ type: "list", items });
  }
  const figures: Array<[string, ViewValue]> = [
    ["Database", SYSTEM_NAMES[result.system] ?? result.system],
    ["Mode", result.analyze ? "EXPLAIN ANALYZE, BUFFERS (rolled back)" : "EXPLAIN"],
  ];
  if (result.planningMs !== undefined) figures.push(["Planning", `${result.planningMs} ms`]);
  if (result.executionMs !== undefined) figures.push(["Execution", `${result.executionMs} ms`]);
  figures.push(["Took", `${result.tookMs} ms`]);
  nodes.push(view.kv(figures));
  for (const note of result.notes) nodes.push(view.text(note, "info"));
  nodes.push(view.section("Plan", [view.code("text", result.text)]));
  const rows: ViewValue[][] = [];
  for (const { node, depth } of walkPlan(result.plan)) {
    rows.push([
      `${"  ".repeat(depth)}${nodeLine(node)}`,
      node.fullScan ? view.badge("full scan", "warning") : "",
      (node.conditions ?? []).join("\n"),
    ]);
  }
  nodes.push(view.section("Plan nodes", [view.table(["Node", "", "Conditions"], rows)], true));
  nodes.push(view.section("Statement", [view.code("sql", result.sql)], true));
  return nodes;
}
