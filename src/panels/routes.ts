import type { RouteInfo } from "../core/context.js";
import { definePanel } from "../core/panel.js";
import { type ViewNode, view } from "../core/view.js";

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
  view: routesView,
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

function routesView(data: RoutesData): ViewNode[] {
  const nodes: ViewNode[] = [
    view.kv([
      ["Framework", data.framework ?? "unknown"],
      ["Matched route", data.matched ? view.badge(data.matched, "ok") : view.text("none", "muted")],
    ]),
  ];
  const matched = (r: RouteInfo) =>
    r.path === data.matched && (r.method === data.method || r.method === "ALL");
  nodes.push(
    data.routes.length
      ? view.table(
          ["Method", "Path", "Handlers"],
          data.routes.map((r) => [
            r.method,
            matched(r) ? view.badge(r.path, "ok") : r.path,
            (r.handlers ?? []).join(", "),
          ]),
          `${data.routes.length} routes`,
        )
      : view.text("The framework did not list its routes.", "muted"),
  );
  return nodes;
}
