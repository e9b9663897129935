import type { RouteInfo } from "../core/context.js";
import { definePanel } from "../core/panel.js";

export interface RoutesData {
  framework?: string;
  matched?: string;
  method?: string;
  routes: readonly RouteInfo[];
}

/** The route this request matched, and every route the app has registered. */
export const routesPanel = definePanel<undefined, RoutesData>({
  id: "routes",
  title: "Routes",
  finish(ctx) {
    if (ctx.kind !== "request") return undefined;
    const routes = ctx.app?.routes?.() ?? [];
    const data: RoutesData = { routes };
    if (ctx.framework) data.framework = ctx.framework;
    if (ctx.route) data.matched = ctx.route;
    if (ctx.request) data.method = ctx.request.method;
    return {
      data,
      summary: ctx.route
        ? `${ctx.route} (${routes.length} routes)`
        : `no route matched (${routes.length} routes)`,
    };
  },
});
