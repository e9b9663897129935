/**
 * Fastify's lifecycle as steps, one per stage. glassbox's plugin is registered first, so its hook
 * is the first of each stage: it marks where the stage starts, and the stage runs until the next
 * one starts. So a stage's time is all of its hooks plus the work Fastify does before the next
 * stage (body parsing after preParsing, schema validation after preValidation, writing the
 * response after onSend). The handler step starts when the route's handler is called (each
 * route's handler is wrapped as the route is added) and runs until the next stage starts.
 * Individual hooks of one stage are not told apart.
 */
import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import type { RequestContext } from "../../core/context.js";
import { describeAddress, lifecycleEvent } from "./lifecycle.js";
import { closeStep, openStep, type StepEvent } from "./step.js";

type ContextOf = (request: FastifyRequest) => RequestContext | undefined;

/** The stage running now in each request. */
const stages = new WeakMap<RequestContext, StepEvent>();

/**
 * Ends the stage running in `ctx` and starts the next one.
 *
 * @example
 * markStage(ctx, "hook", "preHandler");
 */
export function markStage(ctx: RequestContext, kind: "hook" | "handler", name: string, path?: string): void {
  try {
    const running = stages.get(ctx);
    if (running) closeStep(ctx, running);
    const step = openStep(ctx, path ? { kind, name, path } : { kind, name });
    if (step) stages.set(ctx, step);
    else stages.delete(ctx);
  } catch {
    // Bookkeeping only: the request goes on.
  }
}

/** Fastify's route handler, as onRoute hooks see it (called with the route's Fastify instance). */
type RouteHandler = (this: unknown, request: FastifyRequest, reply: FastifyReply) => unknown;

/** Marks the handler step running in `ctx` as failed (a throw or a rejected promise). */
function markHandlerError(ctx: RequestContext): void {
  const running = stages.get(ctx);
  if (running?.kind === "handler") running.error = true;
}

/**
 * The route's handler, starting the handler step when the request is recorded. A wrapper rather
 * than Fastify's `tracing:fastify.request.handler` channel: while anyone subscribes, Fastify
 * wraps every handler call in the channel, and subscribing only while a recorded request runs
 * switched the channels' prototypes each time, which threw Fastify's optimized request code away
 * (deoptimized and recompiled a few times a second under load). A request glassbox does not
 * record pays one call and one property read.
 */
function timedHandler(handler: RouteHandler, path: string, contextOf: ContextOf): RouteHandler {
  const name = ` ${path}`;
  return function glassboxTimedHandler(this: unknown, request, reply) {
    const ctx = contextOf(request);
    if (ctx === undefined) return handler.call(this, request, reply);
    markStage(ctx, "handler", request.method + name, path);
    let result: unknown;
    try {
      result = handler.call(this, request, reply);
    } catch (error) {
      markHandlerError(ctx);
      throw error;
    }
    // Native promises only: another thenable (a query builder) may run again on every then().
    // This reaction runs before Fastify's, while the handler step is still the running one.
    if (result instanceof Promise) result.then(undefined, () => markHandlerError(ctx));
    return result;
  };
}

/** Follows one recorded request's stages from the end of glassbox's onRequest hook (see below). */
export type FollowStages = (ctx: RequestContext, res: ServerResponse) => void;

/**
 * Adds glassbox's stage markers to a Fastify app (call it right after glassbox's onRequest hook,
 * so every marker is the first hook of its stage) and records the server's listen and close as
 * lifecycle events. Routes added after it get their handler timed (timedHandler). Returns what
 * glassbox's onRequest hook calls for each request it records: it starts the onRequest stage and
 * starts the onResponse stage when the response finishes. The onSend and onError stages are
 * marked by glassbox's own hooks of those stages (see markStage).
 *
 * Every hook costs each request something, recorded or not, so what can be limited to recorded
 * requests is: a response has no listener of glassbox's.
 *
 * @example
 * const follow = installFastifySteps(app, (request) => contextOf(request));
 * // in the onRequest hook, for a recorded request:
 * follow(ctx, reply.raw);
 */
export function installFastifySteps(app: FastifyInstance, contextOf: ContextOf): FollowStages {
  app.addHook("onRoute", function glassboxTimeHandler(route: RouteOptions) {
    if (typeof route.handler === "function")
      route.handler = timedHandler(
        route.handler as RouteHandler,
        route.url,
        contextOf,
      ) as RouteOptions["handler"];
  });
  const mark = (request: FastifyRequest, name: string) => {
    const ctx = contextOf(request);
    if (ctx) markStage(ctx, "hook", name);
  };
  app.addHook("preParsing", function glassboxStagePreParsing(request, _reply, payload, done) {
    mark(request, "preParsing");
    done(null, payload);
  });
  app.addHook("preValidation", function glassboxStagePreValidation(request, _reply, done) {
    mark(request, "preValidation");
    done();
  });
  app.addHook("preHandler", function glassboxStagePreHandler(request, _reply, done) {
    mark(request, "preHandler");
    done();
  });
  app.addHook("preSerialization", function glassboxStagePreSerialization(request, _reply, payload, done) {
    mark(request, "preSerialization");
    done(null, payload);
  });
  app.addHook("onListen", function glassboxOnListen(done) {
    const address = describeAddress(app.server.address());
    lifecycleEvent("listen", address ? { address } : undefined);
    done();
  });
  // preClose runs before the onClose hooks, while glassbox is still open to record it.
  app.addHook("preClose", function glassboxPreClose(done) {
    lifecycleEvent("close");
    done();
  });
  return (ctx, res) => {
    markStage(ctx, "hook", "onRequest");
    // Fastify runs the app's onResponse hooks from its own 'finish' listener, added before any
    // hook runs: prepended, this one starts the stage ahead of them.
    res.prependOnceListener("finish", () => markStage(ctx, "hook", "onResponse"));
  };
}
