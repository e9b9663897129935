import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context, MiddlewareHandler, Next } from "hono";
import type { GlassboxOptions } from "../core/config.js";
import type { AppInfo, RouteInfo } from "../core/context.js";
import { recordError } from "../core/error-snapshot.js";
import { forwardedIp } from "../core/exchange.js";
import { Glassbox } from "../core/glassbox.js";
import { markShared } from "../core/shared.js";
import { type DispatchingRequest, traceHonoDispatch } from "../instrument/events/hono.js";
import { handleOwnRoute } from "../server/routes.js";
import { answeredRoute, type HonoRequestRouting, type HonoRoute, listHonoRoutes } from "./hono/routes.js";
import { toWebResponse } from "./hono/web-response.js";
import { ownRequest, pathOf } from "./shared.js";

export interface GlassboxHonoOptions extends GlassboxOptions {
  /**
   * The Hono app, so the routes panel can list every registered route (`app.routes`). Without
   * it, records still carry the matched route pattern.
   */
  app?: { readonly routes: readonly HonoRoute[] };
}

export interface GlassboxHonoMiddleware extends MiddlewareHandler {
  /** The running glassbox (undefined when disabled): its store, subscribe() and close(). */
  readonly glassbox: Glassbox | undefined;
}

/** What @hono/node-server puts in `c.env`: the node request and response behind the web ones. */
interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

/**
 * Hono middleware for apps served by @hono/node-server. Register it first, so it sees every
 * request; the toolbar is injected where the response reaches node, after `hono/compress`.
 *
 * @example
 * import { Hono } from "hono";
 * import { serve } from "@hono/node-server";
 * import { glassbox } from "glassbox/hono";
 * const app = new Hono();
 * app.use(glassbox({ app }));
 * app.get("/", (c) => c.html("<html><body>hi</body></html>"));
 * serve({ fetch: app.fetch, port: 3000 });
 */
export function glassbox(options: GlassboxHonoOptions = {}): GlassboxHonoMiddleware {
  const { app, ...glassboxOptions } = options;
  const gb = Glassbox.create(glassboxOptions);
  if (!gb) return Object.assign((_c: Context, next: Next) => next(), { glassbox: undefined });
  const info: AppInfo = {
    framework: "hono",
    ...(app ? { routes: () => listedRoutes(app.routes) } : {}),
  };

  const middleware = async (c: Context, next: Next): Promise<Response | undefined> => {
    const env = c.env as NodeBindings | undefined;
    const req = env?.incoming;
    const res = env?.outgoing;
    if (!req || typeof res?.writeHead !== "function") {
      gb.warner.warn(
        "GBXW007",
        "this Hono app does not run on @hono/node-server, so glassbox cannot see its requests; serve it with @hono/node-server's serve() (docs/frameworks.md)",
      );
      await next();
      return undefined;
    }
    const clientIp = forwardedIp(req, gb.config.trustProxy);
    if (gb.isOwnPath(pathOf(req.url))) {
      const own = await handleOwnRoute(gb, ownRequest(req, clientIp)).catch(() => undefined);
      if (own) return toWebResponse(own);
      // Not for this client: the app answers (its own 404), as if glassbox were absent.
      await next();
      return undefined;
    }
    const ctx = gb.begin(req, res, { framework: "hono", ...(clientIp ? { clientIp } : {}) });
    if (!ctx) {
      await gb.runUnrecorded(next);
      return undefined;
    }
    ctx.app = info;
    // Each middleware and handler after glassbox becomes a step of the Events panel.
    const steps = traceHonoDispatch(ctx, c.req as unknown as DispatchingRequest);
    try {
      await gb.run(ctx, next);
    } catch (error) {
      // Thrown past the app's onError (or not an Error, which Hono never hands to onError).
      recordError(ctx, c.error ?? error);
      throw error;
    } finally {
      steps?.finish();
      readRouting(ctx, c);
    }
    // Hono caught a handler's error, gave it to app.onError and left it here.
    if (c.error) recordError(ctx, c.error);
    return undefined;
  };
  return Object.assign(middleware, { glassbox: gb });
}

/** Route pattern and params of the handler that answered, read once the chain has run. */
function readRouting(ctx: { route?: string; params?: Record<string, string> }, c: Context): void {
  try {
    const req = c.req as unknown as HonoRequestRouting;
    const route = answeredRoute(req);
    if (route === undefined) return;
    ctx.route = route;
    const params = req.param();
    if (Object.keys(params).length) ctx.params = { ...params };
  } catch {
    // A Hono version that stores routing differently: the record simply has no route.
  }
}

// One list per set of routes, shared by every record (the store writes it once).
const listedByRoutes = new WeakMap<readonly HonoRoute[], { size: number; routes: RouteInfo[] }>();

function listedRoutes(routes: readonly HonoRoute[]): RouteInfo[] {
  const cached = listedByRoutes.get(routes);
  if (cached?.size === routes.length) return cached.routes;
  const listed = markShared(listHonoRoutes(routes));
  listedByRoutes.set(routes, { size: routes.length, routes: listed });
  return listed;
}
