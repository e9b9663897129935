import type {
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  RouteOptions,
} from "fastify";
import fastifyPlugin from "fastify-plugin";
import type { GlassboxOptions } from "../core/config.js";
import type { AppInfo, RequestContext, RouteInfo } from "../core/context.js";
import { recordError } from "../core/error-snapshot.js";
import { Glassbox } from "../core/glassbox.js";
import { markShared } from "../core/shared.js";
import { type FollowStages, installFastifySteps, markStage } from "../instrument/events/fastify.js";
import { sendOwnResponse } from "../server/response.js";
import { handleOwnRoute } from "../server/routes.js";
import { ownRequest, pathOf } from "./shared.js";

declare module "fastify" {
  interface FastifyInstance {
    /** The running glassbox (set by the glassbox plugin): its store, subscribe() and close(). */
    glassbox?: Glassbox;
  }
}

export interface GlassboxFastifyPlugin extends FastifyPluginCallback {
  /** The running glassbox (undefined when disabled): its store, subscribe() and close(). */
  readonly glassbox: Glassbox | undefined;
}

/** Where a request's context is kept between hooks: a request decoration, so the shape stays stable. */
const CONTEXT = Symbol("glassbox.context");
type WithContext = { [CONTEXT]?: RequestContext | null };
const contextOf = (request: FastifyRequest) => (request as unknown as WithContext)[CONTEXT] ?? undefined;

/**
 * Fastify 5 plugin. Register it before your routes (its route list and hooks only see what is
 * registered after it), and await the registration. The instance is also reachable as
 * `app.glassbox`; it is closed with the app (`app.close()`).
 *
 * @example
 * import Fastify from "fastify";
 * import { glassbox } from "glassbox/fastify";
 * const app = Fastify();
 * await app.register(glassbox());
 * app.get("/", (req, reply) => reply.type("text/html").send("<html><body>hi</body></html>"));
 * await app.listen({ port: 3000 });
 */
export function glassbox(options: GlassboxOptions = {}): GlassboxFastifyPlugin {
  const gb = Glassbox.create(options);
  const plugin: FastifyPluginCallback = (app, _pluginOptions, done) => {
    if (gb) install(app, gb);
    done();
  };
  const wrapped = fastifyPlugin(plugin, { fastify: "5.x", name: "glassbox-fastify" });
  return Object.assign(wrapped, { glassbox: gb });
}

function install(app: FastifyInstance, gb: Glassbox): void {
  const info = appInfo(app);
  // Every hook and the handler's tracing channel cost each request something, recorded or not:
  // without the Events panel there is nothing to mark.
  const markStages = gb.panels.some((panel) => panel.id === "events");
  app.decorate("glassbox", gb);
  app.decorateRequest(CONTEXT, null);
  let followStages: FollowStages | undefined;

  app.addHook("onRequest", function glassboxOnRequest(request, reply, done) {
    const raw = request.raw;
    if (gb.isOwnPath(pathOf(raw.url))) return serveOwn(gb, request, reply, done);
    const ctx = gb.begin(raw, reply.raw, { framework: "fastify", clientIp: () => request.ip });
    if (!ctx) return gb.runUnrecorded(done);
    (request as unknown as WithContext)[CONTEXT] = ctx;
    ctx.app = info;
    ctx.beforeRecord = () => {
      if (!request.is404) {
        const url = request.routeOptions.url;
        if (url) ctx.route = url;
      }
      const params = request.params as Record<string, string> | undefined;
      if (params && typeof params === "object" && Object.keys(params).length) ctx.params = { ...params };
    };
    // The Events panel's onRequest stage starts here, at the end of glassbox's own hook.
    followStages?.(ctx, reply.raw);
    // The rest of the lifecycle runs inside the context. Fastify carries it across body parsing
    // itself (its content-type parser resumes in the request's async scope).
    gb.run(ctx, done);
  });

  // Right after the hook above, so each stage marker of the Events panel runs first in its stage.
  if (markStages) followStages = installFastifySteps(app, contextOf);

  // App-level onSend hooks run before route-level ones, and compression plugins
  // (@fastify/compress) add theirs per route: the page is still plain HTML here.
  app.addHook("onSend", function glassboxOnSend(request, reply, payload, done) {
    const ctx = contextOf(request);
    if (!ctx) return done(null, payload);
    markStage(ctx, "hook", "onSend");
    if (typeof payload !== "string" && !Buffer.isBuffer(payload)) return done(null, payload);
    let body: unknown = payload;
    try {
      body = gb.injectToolbar(ctx, payload, {
        status: reply.statusCode,
        header: (name) => reply.getHeader(name),
      });
    } catch {
      // The page goes out as the app wrote it.
    }
    done(null, body);
  });

  // Runs before the app's error handler, which still answers as usual.
  app.addHook("onError", function glassboxOnError(request, _reply, error, done) {
    const ctx = contextOf(request);
    if (ctx) markStage(ctx, "hook", "onError");
    recordError(ctx, error);
    done();
  });

  app.addHook("onClose", function glassboxOnClose(_instance, done) {
    gb.close().then(
      () => done(),
      () => done(),
    );
  });
}

/**
 * Answers a glassbox route before Fastify routes the request, so no route is registered for it.
 * A refused client continues through Fastify, which answers its usual 404.
 */
function serveOwn(gb: Glassbox, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
  const raw = request.raw;
  handleOwnRoute(gb, ownRequest(raw, request.ip)).then(
    (response) => {
      if (!response) return done();
      reply.hijack();
      sendOwnResponse(reply.raw, response);
    },
    () => done(),
  );
}

function appInfo(app: FastifyInstance): AppInfo {
  const routes: RouteInfo[] = [];
  app.addHook("onRoute", function glassboxOnRoute(route: RouteOptions) {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const handler = route.handler as { name?: string } | undefined;
    for (const method of methods)
      routes.push({ method: String(method), path: route.url, handlers: [handler?.name || "anonymous"] });
  });
  let listed: { size: number; routes: RouteInfo[] } | undefined;
  return {
    framework: "fastify",
    frameworkVersion: app.version,
    routes: () => {
      if (!listed || listed.size !== routes.length)
        listed = { size: routes.length, routes: markShared(withoutImplicitHead(routes)) };
      return listed.routes;
    },
    settings: () => ({ ...app.initialConfig }),
  };
}

/** Fastify adds a HEAD route for every GET; listing both doubles the list for nothing. */
function withoutImplicitHead(routes: readonly RouteInfo[]): RouteInfo[] {
  const gets = new Set(routes.filter((r) => r.method === "GET").map((r) => r.path));
  return routes.filter((r) => r.method !== "HEAD" || !gets.has(r.path));
}
