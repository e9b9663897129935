import type { Panel } from "../core/panel.js";
import type { GlassboxRecord } from "../core/record.js";
import type { ViewNode } from "../core/view.js";
import { json, type OwnResponse } from "./response.js";

/** Panel views of one record, keyed by panel id, in the record's panel order. */
export type RecordViews = Record<string, ViewNode[]>;

/**
 * Computes every panel's view of a stored record, the way the toolbar and dashboard show it.
 * Views are computed from stored data only, so a record from history renders as it did live.
 * A panel that failed for this record shows its error; a panel with no `view` (a custom panel,
 * or one no longer installed) or whose `view` throws falls back to its data as a JSON tree.
 *
 * @example
 * const views = recordViews(gb.panels, await gb.store.get(id));
 * views.request; // [{ type: "kv", entries: [["Method", "GET"], ...] }, ...]
 */
export function recordViews(panels: readonly Panel[], record: GlassboxRecord): RecordViews {
  const byId = new Map(panels.map((p) => [p.id, p]));
  const out: RecordViews = {};
  for (const [id, stored] of Object.entries(record.panels)) {
    if (stored.error !== undefined) {
      out[id] = [
        { type: "text", text: `This panel failed for this request: ${stored.error}`, tone: "error" },
      ];
      continue;
    }
    out[id] = panelView(byId.get(id), stored.data, record);
  }
  return out;
}

function panelView(panel: Panel | undefined, data: unknown, record: GlassboxRecord): ViewNode[] {
  if (data === undefined) return [{ type: "text", text: "No data recorded.", tone: "muted" }];
  if (panel?.view) {
    try {
      const nodes = panel.view(data, record);
      if (Array.isArray(nodes)) return nodes;
    } catch (error) {
      return [
        {
          type: "text",
          text: `This panel's view failed: ${(error as Error)?.message ?? error}`,
          tone: "warning",
        },
        { type: "json", value: data },
      ];
    }
  }
  return [{ type: "json", value: data }];
}

const VIEWS_PATH = /^\/api\/requests\/([\w-]{1,64})\/views$/;

/**
 * `GET {prefix}/api/requests/:id/views` → `{ "<panelId>": ViewNode[] }`. Returns undefined when
 * `sub` (the path under the prefix) is not this route.
 *
 * @example
 * const response = await serveRecordViews(gb, "/api/requests/abc123/views");
 */
export async function serveRecordViews(
  gb: {
    readonly panels: readonly Panel[];
    readonly store: { get(id: string): Promise<GlassboxRecord | undefined> };
  },
  sub: string,
): Promise<OwnResponse | undefined> {
  const match = VIEWS_PATH.exec(sub);
  if (!match) return undefined;
  const id = match[1]!;
  const record = await gb.store.get(id);
  return record
    ? json(200, recordViews(gb.panels, record))
    : json(404, { error: `no record with id "${id}"` });
}
