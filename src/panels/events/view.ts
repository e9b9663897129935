import type { ViewNode, ViewValue } from "../../core/view.js";
import { view } from "../../core/view.js";
import type { EventsData } from "./panel.js";
import type { EventNode } from "./tree.js";

const INDENT = "\u00a0\u00a0";
const POINT_KINDS = new Set(["user", "emitter", "lifecycle"]);

/**
 * The Events tree as a table: one row per step, indented by depth, with its start, time and own
 * time; the step that ended the response and steps that passed an error on are marked.
 *
 * @example
 * eventsView(record.panels.events.data); // [kv of totals, table of steps]
 */
export function eventsView(data: EventsData): ViewNode[] {
  if (data.nodes.length === 0)
    return [view.text("No middleware, hooks or events were recorded for this request.", "muted")];
  const nodes: ViewNode[] = [
    view.kv([
      ["Steps", data.totals.steps],
      ["Events", data.totals.events],
      ["Middleware and hooks (own time)", `${data.totals.middlewareMs.toFixed(1)} ms`],
      ["Handlers (own time)", `${data.totals.handlerMs.toFixed(1)} ms`],
      ...(data.framework ? [["Framework", data.framework] as [string, ViewValue]] : []),
    ]),
    view.table(["Start", "Step", "Kind", "Time", "Own time", "Notes"], data.nodes.map(row)),
  ];
  if (data.note) nodes.push(view.text(data.note, "muted"));
  return nodes;
}

function row(node: EventNode): ViewValue[] {
  const point = POINT_KINDS.has(node.kind);
  const label = `${INDENT.repeat(node.depth)}${node.depth ? "└ " : ""}${node.name}${node.path && !node.name.includes(node.path) ? ` ${node.path}` : ""}`;
  return [
    `+${node.startMs.toFixed(1)} ms`,
    label,
    node.kind,
    point ? "" : `${node.durationMs.toFixed(2)} ms`,
    point ? "" : `${node.selfMs.toFixed(2)} ms`,
    notes(node),
  ];
}

function notes(node: EventNode): ViewValue {
  const parts: ViewNode[] = [];
  if (node.endedResponse) parts.push(view.badge("ended response", "ok"));
  if (node.error) parts.push(view.badge("error", "error"));
  if (node.downstreamMs !== undefined)
    parts.push(
      view.text(
        node.upstreamMs !== undefined
          ? `down ${node.downstreamMs.toFixed(2)} ms, up ${node.upstreamMs.toFixed(2)} ms`
          : `until next() ${node.downstreamMs.toFixed(2)} ms`,
        "muted",
      ),
    );
  if (node.data !== undefined) parts.push(view.json(node.data));
  if (node.truncated) parts.push(view.text("data cut to events.maxDataBytes", "muted"));
  if (parts.length === 0) return "";
  return parts.length === 1 ? parts[0]! : { type: "list", items: parts };
}
