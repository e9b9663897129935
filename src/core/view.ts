/**
 * The panel rendering contract: a panel describes how its stored data is shown as a small tree
 * of view nodes (plain JSON). The toolbar and dashboard render any tree with shared components,
 * so a new panel needs no UI code. Views are computed from stored data when a record is read,
 * so a panel from history renders exactly as it did live. Every string is shown as text.
 */

export type ViewNode =
  | { type: "section"; title: string; children: ViewNode[]; collapsed?: boolean }
  | { type: "kv"; entries: Array<[key: string, value: ViewValue]> }
  | { type: "table"; columns: string[]; rows: ViewValue[][]; caption?: string }
  | { type: "code"; language: "sql" | "json" | "html" | "text" | "http"; text: string; truncated?: boolean }
  | { type: "stack"; frames: Array<{ file: string; line: number; column?: number; fn?: string }> }
  | { type: "json"; value: unknown }
  | { type: "text"; text: string; tone?: "muted" | "info" | "warning" | "error" }
  | { type: "badge"; text: string; tone?: "muted" | "info" | "warning" | "error" | "ok" }
  | { type: "list"; items: ViewNode[] }
  | ActionNode;

/**
 * A button that asks glassbox to do something on demand and shows the answer (view nodes, or the
 * error as text) below it. `action` names what to do; each action carries its own arguments, so
 * a new one is a new member of this union. A renderer that does not know an action shows the
 * button disabled.
 */
export type ActionNode = {
  type: "action";
  /** EXPLAIN a query glassbox recorded: `POST {prefix}/api/requests/:recordId/queries/:queryId/explain`. */
  action: "explain";
  label: string;
  recordId: string;
  queryId: string;
  /** PostgreSQL only: EXPLAIN ANALYZE, BUFFERS (needs the `explain.analyze` option). */
  analyze?: boolean;
};

/** A cell or value: plain text/number, or a node for richer content (code, badge, stack). */
export type ViewValue = string | number | boolean | null | ViewNode;

/** Shorthands for panel authors. */
export const view = {
  section: (title: string, children: ViewNode[], collapsed?: boolean): ViewNode =>
    collapsed === undefined
      ? { type: "section", title, children }
      : { type: "section", title, children, collapsed },
  kv: (entries: Record<string, ViewValue> | Array<[string, ViewValue]>): ViewNode => ({
    type: "kv",
    entries: Array.isArray(entries) ? entries : Object.entries(entries),
  }),
  table: (columns: string[], rows: ViewValue[][], caption?: string): ViewNode =>
    caption === undefined ? { type: "table", columns, rows } : { type: "table", columns, rows, caption },
  code: (language: "sql" | "json" | "html" | "text" | "http", text: string, truncated?: boolean): ViewNode =>
    truncated ? { type: "code", language, text, truncated } : { type: "code", language, text },
  json: (value: unknown): ViewNode => ({ type: "json", value }),
  text: (text: string, tone?: "muted" | "info" | "warning" | "error"): ViewNode =>
    tone ? { type: "text", text, tone } : { type: "text", text },
  badge: (text: string, tone?: "muted" | "info" | "warning" | "error" | "ok"): ViewNode =>
    tone ? { type: "badge", text, tone } : { type: "badge", text },
  explain: (label: string, recordId: string, queryId: string, analyze?: boolean): ActionNode =>
    analyze
      ? { type: "action", action: "explain", label, recordId, queryId, analyze }
      : { type: "action", action: "explain", label, recordId, queryId },
};
