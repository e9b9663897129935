import type { PanelOutput } from "../../core/panel.js";
import type { SqlPanelData } from "../sql/types.js";

/** The SQL panel's data when it ran and has the expected shape, else undefined. */
export function sqlData(panels: ReadonlyMap<string, PanelOutput>): SqlPanelData | undefined {
  const data = panels.get("sql")?.data as Partial<SqlPanelData> | undefined;
  if (!data || typeof data !== "object" || !Array.isArray(data.queries)) return undefined;
  return data as SqlPanelData;
}
