import type { RouteInfo } from "../../core/context.js";

/** The shape of one entry in Hono's `app.routes` and `c.req.matchedRoutes` (Hono 4). */
export interface HonoRoute {
  method: string;
  path: string;
  basePath?: string;
  handler: Function;
}

/** What glassbox reads from `c.req` once the rest of the chain has run. */
export interface HonoRequestRouting {
  routeIndex: number;
  readonly matchedRoutes: readonly HonoRoute[];
  param(): Record<string, string>;
}

/**
 * Middleware (`app.use`) is stored as an ALL route taking `next`; Hono's own logger tells the two
 * apart the same way. A route handler takes the context alone.
 */
function isMiddleware(route: HonoRoute): boolean {
  return route.method === "ALL" && route.handler.length >= 2;
}

/**
 * The pattern of the route that answered ("/users/:id"), read after `await next()`: Hono leaves
 * `routeIndex` on the last handler it dispatched. Undefined when only middleware ran (404).
 *
 * @example
 * await next();
 * ctx.route = answeredRoute(c.req); // "/users/:id"
 */
export function answeredRoute(req: HonoRequestRouting): string | undefined {
  const route = req.matchedRoutes[req.routeIndex];
  if (!route || isMiddleware(route)) return undefined;
  return route.path;
}

/**
 * Hono's `app.routes` as glassbox lists them: one entry per method and path with its handler
 * names, middleware left out (Express's list does the same).
 *
 * @example
 * listHonoRoutes(app.routes); // [{ method: "GET", path: "/users/:id", handlers: ["getUser"] }]
 */
export function listHonoRoutes(routes: readonly HonoRoute[]): RouteInfo[] {
  const byKey = new Map<string, RouteInfo & { handlers: string[] }>();
  for (const route of routes) {
    if (isMiddleware(route)) continue;
    const key = `${route.method} ${route.path}`;
    let info = byKey.get(key);
    if (!info) {
      info = { method: route.method, path: route.path, handlers: [] };
      byKey.set(key, info);
    }
    info.handlers.push(route.handler.name || "anonymous");
  }
  return [...byKey.values()];
}
