import type { IncomingMessage, ServerResponse } from "node:http";
import type { GlassboxOptions } from "../core/config.js";
import { type AppInfo, type RequestContext, type RouteInfo, tryGetContext } from "../core/context.js";
import { recordError } from "../core/error-snapshot.js";
import { type BeginOptions, Glassbox } from "../core/glassbox.js";
import { markShared } from "../core/shared.js";
import { beginLayerStep } from "../instrument/events/express.js";
import { patchMethod } from "../instrument/guard.js";
import { basePattern, enterMount, mountPattern } from "./express/mount-patterns.js";
import { pathOf, serveOwnRoute } from "./shared.js";

// Express is an optional peer: these are the few shapes glassbox reads, for Express 4 and 5.
interface ExpressLayer {
  name?: string;
  route?: { path: string | string[]; methods: Record<string, boolean>; stack?: ExpressLayer[] };
  handle?: ((...args: never[]) => unknown) & { stack?: ExpressLayer[] };
  regexp?: RegExp & { fast_slash?: boolean };
  /** Express 5's router: the layer is mounted at "/" and matches every path. */
  slash?: boolean;
  path?: string;
  matchers?: unknown[];
  keys?: { name: string }[];
}
interface ExpressRouter {
  stack: ExpressLayer[];
  handle?: (req: IncomingMessage, res: ServerResponse, done: Next) => void;
}
interface ExpressApp {
  _router?: ExpressRouter;
  router?: ExpressRouter;
  settings?: Record<string, unknown>;
  get?(name: string): unknown;
}
export interface ExpressRequest extends IncomingMessage {
  app: ExpressApp;
  path: string;
  ip?: string;
  baseUrl?: string;
  route?: { path: string | string[] };
  params?: Record<string, string>;
}
type Next = (error?: unknown) => void;

export interface GlassboxExpressMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: Next): void;
  /** The running glassbox (undefined when disabled): its store, subscribe() and close(). */
  readonly glassbox: Glassbox | undefined;
}

/**
 * Express (4 and 5) middleware. Register it first, after any compression middleware, so it
 * sees every request and the uncompressed page.
 *
 * @example
 * import express from "express";
 * import { glassbox } from "glassbox/express";
 * const app = express();
 * app.use(glassbox());
 * app.get("/", (req, res) => res.send("<html><body>hi</body></html>"));
 */
export function glassbox(options: GlassboxOptions = {}): GlassboxExpressMiddleware {
  const gb = Glassbox.create(options);
  if (!gb) {
    const triedApps = new WeakSet<ExpressApp>();
    const disabled = (req: IncomingMessage, _res: ServerResponse, next: Next) => {
      const app = (req as ExpressRequest).app;
      // Once per app: where it cannot leave (inside a Router), it stays a no-op layer, unscanned.
      if (app && !triedApps.has(app)) {
        triedApps.add(app);
        const router = routerOf(app);
        if (router) dropLayer(router, disabled);
      }
      next();
    };
    return Object.assign(disabled, { glassbox: undefined });
  }
  const apps = new WeakMap<ExpressApp, AppInfo>();
  const seenApps = new WeakSet<ExpressApp>();
  const middleware = (incoming: IncomingMessage, res: ServerResponse, next: Next) => {
    const req = incoming as ExpressRequest;
    if (!seenApps.has(req.app)) {
      seenApps.add(req.app);
      moveAheadOfRouter(req.app, middleware, handle);
    }
    handle(req, res, next);
  };
  const handle = (req: ExpressRequest, res: ServerResponse, next: Next) => {
    if (gb.isOwnPath(pathOf(req.url))) return serveOwnRoute(gb, req, res, req.ip, () => next());
    const ctx = gb.begin(req, res, BEGIN_OPTIONS);
    if (!ctx) return gb.runUnrecorded(next);
    let app = apps.get(req.app);
    if (!app) {
      app = appInfo(req.app);
      apps.set(req.app, app);
    }
    ctx.app = app;
    ctx.beforeRecord = () => {
      const route = req.route?.path;
      if (route !== undefined)
        ctx.route = `${basePattern(req)}${Array.isArray(route) ? route.join("|") : route}`;
      if (req.params && Object.keys(req.params).length) ctx.params = { ...req.params };
    };
    gb.run(ctx, next);
  };
  return Object.assign(middleware, { glassbox: gb });
}

/**
 * Express 5, glassbox registered first (mounted at "/"): glassbox leaves the router's stack and
 * runs in front of the router instead, through its own `handle` on the router instance. Nothing
 * runs before it either way, but every router layer costs each request a few microseconds of
 * matching and dispatch (a no-op middleware: about 6 µs on the benchmark's pg route, see
 * docs/benchmarks.md), and glassbox's layer would be paid by every request it does not record.
 * Anywhere else (Express 4, after compression, under a path) it stays the layer it was.
 */
function moveAheadOfRouter(
  app: ExpressApp,
  middleware: unknown,
  handle: (req: ExpressRequest, res: ServerResponse, next: Next) => void,
): void {
  const router = routerOf(app);
  const first = router?.stack[0];
  if (!router || !first || first.handle !== middleware || first.slash !== true) return;
  if (typeof router.handle !== "function" || Object.hasOwn(router, "handle")) return;
  const routerHandle = router.handle;
  dropLayer(router, middleware);
  router.handle = function glassboxAheadOfRouter(this: ExpressRouter, req, res, done) {
    let onwardCalled = false;
    const onward = () => {
      onwardCalled = true;
      routerHandle.call(this, req, res, done);
    };
    try {
      handle(req as ExpressRequest, res, onward);
    } catch (error) {
      // A failure of glassbox itself must not take the request down: the app goes on without it.
      if (onwardCalled) throw error;
      onward();
    }
  };
}

/**
 * Takes glassbox's layer out of a router: ahead of the router (above), or a disabled glassbox, so
 * that an app keeping `app.use(glassbox(...))` switched off pays nothing for it afterwards. A new
 * array, not a splice: requests already inside the router go on iterating the old one.
 */
function dropLayer(router: ExpressRouter, middleware: unknown): void {
  if (router.stack.some((layer) => layer.handle === middleware))
    router.stack = router.stack.filter((layer) => layer.handle !== middleware);
}

/** One object for every request: a skipped request allocates nothing for glassbox. */
const BEGIN_OPTIONS: BeginOptions = {
  framework: "express",
  clientIp: (req) => (req as ExpressRequest).ip,
};

function routerOf(app: ExpressApp): ExpressRouter | undefined {
  return app._router ?? app.router;
}

const patchedLayers = new WeakSet<object>();

/**
 * The one patch of Express's Layer: captures handler errors where Express routes them (4:
 * handle_error, 5: handleError), notes router mount patterns, and times every layer for the
 * Events panel (4: handle_request, 5: handleRequest).
 */
function patchLayerErrors(app: ExpressApp): void {
  const layer = routerOf(app)?.stack[0];
  const proto = layer ? Object.getPrototypeOf(layer) : undefined;
  if (!proto || patchedLayers.has(proto)) return;
  patchedLayers.add(proto);
  for (const name of ["handle_error", "handleError"]) {
    patchMethod(
      proto,
      name,
      (original) =>
        function glassboxLayerError(this: ExpressLayer, ...args: unknown[]) {
          const ctx = tryGetContext();
          recordError(ctx, args[0]);
          // A real error handler (four arguments) is a step of the Events panel.
          if (ctx && this.handle?.length === 4 && typeof args[3] === "function")
            args[3] = beginLayerStep(ctx, this, args[2] as ServerResponse, args[3] as Next, true);
          return original.apply(this, args);
        },
    );
  }
  for (const name of ["handle_request", "handleRequest"]) {
    patchMethod(
      proto,
      name,
      (original) =>
        function glassboxLayerRequest(this: ExpressLayer, req: unknown, res: unknown, next: unknown) {
          const ctx = tryGetContext();
          // Outside a recorded request, and error handlers Express skips here, pass straight through.
          if (!ctx || (this.handle?.length ?? 0) > 3) return original.call(this, req, res, next);
          const isRoute = this.route !== undefined;
          // A route layer's next is where the route's errors leave it, even with no error middleware after it.
          let onward = isRoute ? notingErrors(ctx, next as Next) : (next as Next);
          if (!isRoute && Array.isArray(this.handle?.stack)) enterMount(req as ExpressRequest, this);
          // Each layer is a step of the Events panel: in when called, out when it calls next().
          onward = beginLayerStep(ctx, this, res as ServerResponse, onward);
          return original.call(this, req, res, onward);
        },
    );
  }
}

/** Wraps a route's `next` so the error it is called with is recorded; routing signals are not errors. */
function notingErrors(ctx: RequestContext, next: Next): Next {
  return function glassboxRouteNext(error?: unknown) {
    if (error !== undefined && error !== null && error !== "route" && error !== "router")
      recordError(ctx, error);
    return next(error);
  };
}

function appInfo(app: ExpressApp): AppInfo {
  patchLayerErrors(app);
  let cached: { size: number; routes: RouteInfo[] } | undefined;
  return {
    framework: "express",
    ...(expressVersion ? { frameworkVersion: expressVersion } : {}),
    routes: () => {
      const stack = routerOf(app)?.stack ?? [];
      if (!cached || cached.size !== stack.length)
        cached = { size: stack.length, routes: markShared(listRoutes(stack, "")) };
      return cached.routes;
    },
    settings: () => ({ ...(app.settings ?? {}) }),
  };
}

let expressVersion: string | undefined;

/** Walks the router stack: routes with their methods, nested routers with their mount path. */
function listRoutes(stack: readonly ExpressLayer[], base: string, depth = 0): RouteInfo[] {
  const out: RouteInfo[] = [];
  if (depth > 8) return out;
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      const methods = Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m]);
      const handlers = (layer.route.stack ?? []).map((l) => l.name || "anonymous");
      for (const p of paths) {
        for (const m of methods.length ? methods : ["all"])
          out.push({ method: m.toUpperCase(), path: `${base}${p}`, handlers });
      }
    } else if (layer.handle?.stack) {
      out.push(...listRoutes(layer.handle.stack, `${base}${mountPath(layer)}`, depth + 1));
    }
  }
  return out;
}

/** The path a router is mounted at, as registered ("" when glassbox cannot spell it back). */
function mountPath(layer: ExpressLayer): string {
  return mountPattern(layer) ?? "";
}
