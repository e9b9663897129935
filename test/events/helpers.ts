import type { GlassboxRecord } from "../../src/core/record.js";
import type { EventNode, EventsData } from "../../src/panels/events/index.js";

/** The Events panel data of a record (fails the test when the panel is missing). */
export function eventsOf(record: GlassboxRecord): EventsData {
  const panel = record.panels.events;
  if (!panel?.data) throw new Error(`no events panel data: ${JSON.stringify(panel)}`);
  return panel.data as EventsData;
}

/** The node with this name (the first, in display order). */
export function node(data: EventsData, name: string): EventNode {
  const found = data.nodes.find((n) => n.name === name);
  if (!found) throw new Error(`no step "${name}" in ${data.nodes.map((n) => n.name).join(", ")}`);
  return found;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
