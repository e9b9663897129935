import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { GlassboxOptions } from "../core/config.js";
import { type AppInfo, type RouteInfo, tryGetContext } from "../core/context.js";
import { recordError } from "../core/error-snapshot.js";
import { Glassbox } from "../core/glassbox.js";
import { markShared } from "../core/shared.js";
import { type ComposingApp, composeWithSteps, timedKoaStep } from "../instrument/events/koa.js";
import { patchMethod } from "../instrument/guard.js";
import { sendOwnResponse } from "../server/response.js";
import { handleOwnRoute } from "../server/routes.js";
import { ownRequest, packageVersion, pathOf } from "./shared.js";

// Koa and @koa/router are optional peers: these are the few shapes glassbox reads.
interface KoaApp {
  readonly middleware: readonly unknown[];
  proxy?: boolean;
  env?: string;
  subdomainOffset?: number;
  proxyIpHeader?: string;
  maxIpsCount?: number;
}
export interface KoaContext {
  req: IncomingMessage;
  res: ServerResponse;
  app: KoaApp;
  method: string;
  /** The client IP; honours `app.proxy` (X-Forwarded-For) like the rest of Koa. */
  ip: string;
  respond?: boolean;
}
/** What @koa/router (v12 to v15) leaves on the context once a route matched. */
interface RoutedContext {
  _matchedRoute?: string | RegExp;
  params?: Record<string, string>;
}
type Next = () => Promise<unknown>;
type Handler = (...args: unknown[]) => unknown;
interface RouterLayer {
  path: string | RegExp;
  methods: string[];
  stack: Handler[];
}
interface Router {
  stack: RouterLayer[];
}

export interface GlassboxKoaOptions extends GlassboxOptions {
  /**
   * The Koa app, so the Events panel can time each middleware (glassbox wraps them when the app
   * composes its chain at `listen()`/`callback()`). Without it, only @koa/router handlers are timed.
   */
  app?: ComposingApp;
}

export interface GlassboxKoaMiddleware {
  (ctx: KoaContext, next: Next): Promise<unknown>;
  /** The running glassbox (undefined when disabled): its store, subscribe() and close(). */
  readonly glassbox: Glassbox | undefined;
}

/**
 * Koa middleware. Use it first, before any error-handling or compression middleware, so it sees
 * every request and the errors they throw.
 *
 * @example
 * import Koa from "koa";
 * import Router from "@koa/router";
 * import { glassbox } from "glassbox/koa";
 * const app = new Koa();
 * app.use(glassbox({ app }));
 * const router = new Router();
 * router.get("/", (ctx) => { ctx.type = "html"; ctx.body = "<html><body>hi</body></html>"; });
 * app.use(router.routes());
 * app.listen(3000);
 */
export function glassbox(options: GlassboxKoaOptions = {}): GlassboxKoaMiddleware {
  const { app: koaApp, ...glassboxOptions } = options;
  const gb = Glassbox.create(glassboxOptions);
  if (!gb) return Object.assign((_ctx: KoaContext, next: Next) => next(), { glassbox: undefined });
  const apps = new WeakMap<KoaApp, KoaAppInfo>();
  const middleware = async function glassboxKoa(ctx: KoaContext, next: Next): Promise<unknown> {
    if (gb.isOwnPath(pathOf(ctx.req.url))) return serveOwn(gb, ctx, next);
    const rctx = gb.begin(ctx.req, ctx.res, { framework: "koa", clientIp: () => ctx.ip });
    if (!rctx) return gb.runUnrecorded(next);
    let app = apps.get(ctx.app);
    if (!app) {
      app = new KoaAppInfo(ctx.app);
      apps.set(ctx.app, app);
    }
    app.watchRouteErrors();
    rctx.app = app.info;
    rctx.beforeRecord = () => {
      const routed = ctx as RoutedContext;
      if (routed._matchedRoute !== undefined) rctx.route = String(routed._matchedRoute);
      if (routed.params && Object.keys(routed.params).length) rctx.params = { ...routed.params };
    };
    try {
      return await gb.run(rctx, next);
    } catch (error) {
      // Recorded, then re-thrown: Koa's own error handling (or the app's) still sees it.
      recordError(rctx, error);
      throw error;
    }
  };
  // Each middleware after glassbox becomes a step of the Events panel.
  if (koaApp) composeWithSteps(koaApp, middleware);
  return Object.assign(middleware, { glassbox: gb });
}

/** Answers a glassbox route; a refused client goes on down the app, which answers its usual 404. */
async function serveOwn(gb: Glassbox, ctx: KoaContext, next: Next): Promise<unknown> {
  const req = ctx.req;
  const response = await handleOwnRoute(gb, ownRequest(req, ctx.ip)).catch(() => undefined);
  if (!response) return next();
  ctx.respond = false;
  sendOwnResponse(ctx.res, response);
  return undefined;
}

/** Per-app state: the routers found in app.middleware, their routes, and the error watch on them. */
class KoaAppInfo {
  readonly info: AppInfo;
  /** Routes seen per router, so handlers added later are watched too. */
  private readonly watched = new WeakMap<Router, number>();
  private listed: { size: number; routes: RouteInfo[] } | undefined;

  constructor(private readonly app: KoaApp) {
    const version = koaVersion();
    this.info = {
      framework: "koa",
      ...(version ? { frameworkVersion: version } : {}),
      routes: () => this.routes(),
      settings: () => ({
        env: app.env,
        proxy: app.proxy,
        subdomainOffset: app.subdomainOffset,
        proxyIpHeader: app.proxyIpHeader,
        maxIpsCount: app.maxIpsCount,
      }),
    };
  }

  /** The @koa/router instances mounted on the app: their dispatch middleware carries `.router`. */
  // Found once per middleware list: this runs on every request.
  private found: { count: number; routers: Router[] } | undefined;

  private routers(): Router[] {
    const middleware = this.app.middleware;
    if (this.found?.count === middleware.length) return this.found.routers;
    const out: Router[] = [];
    for (const mw of middleware) {
      const router = (mw as { router?: unknown } | undefined)?.router as Router | undefined;
      if (router && Array.isArray(router.stack)) out.push(router);
    }
    this.found = { count: middleware.length, routers: out };
    return out;
  }

  /**
   * An error-handling middleware after glassbox catches route errors before glassbox sees them,
   * so route handlers are wrapped (once each) to record what they throw, then re-throw it.
   */
  watchRouteErrors(): void {
    for (const router of this.routers()) {
      if (this.watched.get(router) === router.stack.length) continue;
      this.watched.set(router, router.stack.length);
      for (const layer of router.stack) {
        const last = layer.stack.length - 1;
        for (let i = 0; i <= last; i++)
          patchMethod(layer.stack, String(i), (original) =>
            recordingErrors(timedKoaStep(original, routeStep(layer, original, i === last))),
          );
      }
    }
  }

  private routes(): RouteInfo[] {
    const routers = this.routers();
    const size = routers.reduce((n, r) => n + r.stack.length, 0);
    if (this.listed?.size === size) return this.listed.routes;
    const routes: RouteInfo[] = [];
    for (const router of routers) {
      for (const layer of router.stack) {
        if (!layer.methods.length) continue;
        const handlers = layer.stack.map((h) => h.name || "anonymous");
        const path = String(layer.path);
        // @koa/router answers HEAD for every GET; listing both doubles the list for nothing.
        const implicitHead = layer.methods.includes("GET");
        for (const method of layer.methods)
          if (method !== "HEAD" || !implicitHead) routes.push({ method, path, handlers });
      }
    }
    this.listed = { size, routes: markShared(routes) };
    return routes;
  }
}

/** How a route's handler (its last function) or route middleware is named in the Events panel. */
function routeStep(layer: RouterLayer, fn: Handler, isHandler: boolean) {
  const path = String(layer.path);
  if (!isHandler) return { kind: "middleware" as const, name: fn.name || "anonymous", path };
  const methods = layer.methods.filter((m) => m !== "HEAD");
  return { kind: "handler" as const, name: fn.name || `${methods.join(",") || "ALL"} ${path}`, path };
}

function recordingErrors(original: Handler): Handler {
  return function glassboxRouteHandler(this: unknown, ...args: unknown[]) {
    let result: unknown;
    try {
      result = original.apply(this, args);
    } catch (error) {
      recordError(tryGetContext(), error);
      throw error;
    }
    if (result && typeof (result as Promise<unknown>).then === "function") {
      return (result as Promise<unknown>).then(undefined, (error: unknown) => {
        recordError(tryGetContext(), error);
        throw error;
      });
    }
    return result;
  };
}

let cachedVersion: { value: string | undefined } | undefined;

/** Koa's version as the app resolves it (Koa does not expose it at runtime). */
function koaVersion(): string | undefined {
  cachedVersion ??= {
    value: packageVersion(
      () => createRequire(join(process.cwd(), "package.json"))("koa/package.json") as { version?: string },
    ),
  };
  return cachedVersion.value;
}
