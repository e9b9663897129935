import { formatFrame, type StackFrame } from "../../core/callsite.js";
import type { GlassboxRecord } from "../../core/record.js";
import { type ViewNode, type ViewValue, view } from "../../core/view.js";
import { isReadOnlySql } from "../../explain/read-only.js";
import type { SqlEvent } from "../../instrument/sql-event.js";
import type { SqlGroup, SqlPanelData } from "./types.js";

const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;
const site = (frame: StackFrame | undefined): ViewValue => (frame ? formatFrame(frame) : "unknown");

/**
 * The SQL panel as view nodes: totals, N+1 groups with their fix, duplicates, similar queries,
 * then every query with its SQL, parameters, rows, time and call site. Reads stored data only.
 * A read-only query gets an Explain button (and Explain analyze on PostgreSQL) when the record
 * is given.
 *
 * @example
 * const nodes = sqlView(record.panels.sql.data as SqlPanelData, record);
 */
export function sqlView(data: SqlPanelData, record?: Pick<GlassboxRecord, "id">): ViewNode[] {
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
            ...explainActions(q, record?.id),
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

const SYSTEMS = new Set(["postgresql", "mysql", "sqlite"]);

/**
 * Explain buttons for a query the EXPLAIN endpoint would accept: a single read-only SELECT whose
 * SQL was kept whole. Other queries get none (the endpoint would refuse them anyway).
 */
function explainActions(q: SqlEvent, recordId: string | undefined): ViewNode[] {
  if (!recordId || typeof q.queryId !== "string" || typeof q.sql !== "string" || q.truncated) return [];
  if (!SYSTEMS.has(q.system) || !isReadOnlySql(q.sql, q.system).ok) return [];
  const buttons = [view.explain("Explain", recordId, q.queryId)];
  if (q.system === "postgresql") buttons.push(view.explain("Explain analyze", recordId, q.queryId, true));
  return buttons;
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
