import { formatFrame, type StackFrame } from "../../core/callsite.js";
import { type ViewNode, type ViewValue, view } from "../../core/view.js";
import type { SqlGroup, SqlPanelData } from "./types.js";

const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;
const site = (frame: StackFrame | undefined): ViewValue => (frame ? formatFrame(frame) : "unknown");

/**
 * The SQL panel as view nodes: totals, N+1 groups with their fix, duplicates, similar queries,
 * then every query with its SQL, parameters, rows, time and call site. Reads stored data only.
 *
 * @example
 * const nodes = sqlView(record.panels.sql.data as SqlPanelData);
 */
export function sqlView(data: SqlPanelData): ViewNode[] {
  const nodes: ViewNode[] = [
    view.kv([
      ["Queries", data.queries.length],
      ["Total time", ms(data.totalMs)],
      ["N+1 groups", data.nplusone.length],
      ["Duplicates", data.duplicates.reduce((n, g) => n + g.count - 1, 0)],
      ["Similar", data.similar.reduce((n, g) => n + g.count - 1, 0)],
      [`Slow (≥ ${data.slowThresholdMs} ms)`, data.slow.length],
    ]),
  ];
  if (data.nplusone.length) {
    nodes.push(
      view.section(
        "N+1 queries",
        data.nplusone.map((g) =>
          view.section(`${g.count}× from ${site(g.callSite)}`, [
            view.code("sql", g.normalized),
            view.kv([
              ["Count", g.count],
              ["Total time", ms(g.totalMs)],
              ["Call site", site(g.callSite)],
            ]),
            view.text(g.suggestion, "warning"),
          ]),
        ),
      ),
    );
  }
  if (data.duplicates.length)
    nodes.push(groupSection("Duplicate queries (same SQL and parameters)", data.duplicates));
  if (data.similar.length)
    nodes.push(groupSection("Similar queries (same SQL, other parameters)", data.similar, true));
  const slow = new Set(data.slow);
  nodes.push(
    view.table(
      ["#", "SQL", "Params", "Rows", "Time", "Call site"],
      data.queries.map((q, i) => [
        i + 1,
        {
          type: "list",
          items: [
            view.code("sql", q.sql, q.truncated),
            ...(q.error ? [view.badge(q.error, "error")] : []),
            ...(slow.has(q.queryId) ? [view.badge("slow", "warning")] : []),
          ],
        },
        q.params === undefined ? "" : view.json(q.params),
        q.rows ?? "",
        ms(q.durationMs),
        q.callSite?.stack.length ? { type: "stack", frames: q.callSite.stack } : "unknown",
      ]),
      "Queries in the order they started",
    ),
  );
  return nodes;
}

function groupSection(title: string, groups: SqlGroup[], collapsed = false): ViewNode {
  return view.section(
    title,
    [
      view.table(
        ["SQL", "Count", "Total time", "Call site"],
        groups.map((g) => [view.code("sql", g.normalized), g.count, ms(g.totalMs), site(g.callSite)]),
      ),
    ],
    collapsed,
  );
}
