import type { GlassboxConfig } from "../core/config.js";
import type { Panel } from "../core/panel.js";
import { createAlertsPanel } from "./alerts/index.js";
import { cachePanel } from "./cache.js";
import { eventsPanel } from "./events/index.js";
import { headersPanel } from "./headers.js";
import { loggingPanel } from "./logging.js";
import { createOpenApiPanel } from "./openapi/index.js";
import { requestPanel } from "./request.js";
import { responsePanel } from "./response.js";
import { routesPanel } from "./routes.js";
import { settingsPanel } from "./settings.js";
import { sqlPanel } from "./sql/index.js";
import { templatesPanel } from "./templates.js";
import { timerPanel } from "./timer.js";
import { versionsPanel } from "./versions.js";

/**
 * The built-in panels, in toolbar order. The one list: a new panel is added here and nowhere
 * else. Users add theirs with the `panels` option and remove ours with `disablePanels`.
 * Stateful panels (alerts keeps route history) are made per call, so per glassbox instance;
 * `config` gives them their options (openapi is only listed when a document is given).
 */
export function builtinPanels(config?: Pick<GlassboxConfig, "alerts" | "openapi">): Panel[] {
  return [
    timerPanel,
    requestPanel,
    responsePanel,
    headersPanel,
    routesPanel,
    loggingPanel,
    sqlPanel,
    cachePanel,
    templatesPanel,
    eventsPanel,
    settingsPanel,
    versionsPanel,
    ...(config?.openapi !== undefined ? [createOpenApiPanel(config.openapi)] : []),
    createAlertsPanel(config?.alerts),
  ] as Panel[];
}
