import type { Panel } from "../core/panel.js";
import { headersPanel } from "./headers.js";
import { loggingPanel } from "./logging.js";
import { requestPanel } from "./request.js";
import { responsePanel } from "./response.js";
import { routesPanel } from "./routes.js";
import { settingsPanel } from "./settings.js";
import { timerPanel } from "./timer.js";
import { versionsPanel } from "./versions.js";

/**
 * The built-in panels, in toolbar order. The one list: a new panel is added here and nowhere
 * else. Users add theirs with the `panels` option and remove ours with `disablePanels`.
 */
export function builtinPanels(): Panel[] {
  return [
    timerPanel,
    requestPanel,
    responsePanel,
    headersPanel,
    routesPanel,
    loggingPanel,
    settingsPanel,
    versionsPanel,
  ] as Panel[];
}
