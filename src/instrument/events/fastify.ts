/**
 * Fastify's lifecycle as steps, one per stage. glassbox's plugin is registered first, so its hook
 * is the first of each stage: it marks where the stage starts, and the stage runs until the next
 * one starts. So a stage's time is all of its hooks plus the work Fastify does before the next
 * stage (body parsing after preParsing, schema validation after preValidation, writing the
 * response after onSend). The handler is timed through Fastify's
 * `tracing:fastify.request.handler` diagnostics channel, from its call to the next stage.
 * Individual hooks of one stage are not told apart.
 */
import { tracingChannel } from "node:diagnostics_channel";
import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RequestContext } from "../../core/context.js";
import { refCounted } from "../guard.js";
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

/** Store Fastify publishes on its handler channel (lib/handle-request.js). */
interface HandlerStore {
  request?: FastifyRequest;
  route?: { url?: string; method?: string };
}

let lookup: ContextOf | undefined;

const subscribeHandler = refCounted(() => {
  const channel = tracingChannel("fastify.request.handler");
  const handlers = {
    start(message: unknown) {
      const store = message as HandlerStore;
      const ctx = store.request && lookup?.(store.request);
      if (!ctx) return;
      const url = store.route?.url;
      const name = `${store.route?.method ?? "handler"}${url ? ` ${url}` : ""}`;
      markStage(ctx, "handler", name, url);
    },
    error(message: unknown) {
      const store = message as HandlerStore;
      const ctx = store.request && lookup?.(store.request);
      const running = ctx ? stages.get(ctx) : undefined;
      if (running?.kind === "handler") running.error = true;
    },
    end() {},
    asyncStart() {},
    asyncEnd() {},
  };
  channel.subscribe(handlers);
  return () => channel.unsubscribe(handlers);
});

/** Follows one recorded request's stages from the end of glassbox's onRequest hook (see below). */
export type FollowStages = (ctx: RequestContext, res: ServerResponse) => void;

/**
 * Adds glassbox's stage markers to a Fastify app (call it right after glassbox's onRequest hook,
 * so every marker is the first hook of its stage) and records the server's listen and close as
 * lifecycle events. Returns what glassbox's onRequest hook calls for each request it records: it
 * starts the onRequest stage, subscribes to the handler channel until the response closes, and
 * starts the onResponse stage when the response finishes. The onSend and onError stages are
 * marked by glassbox's own hooks of those stages (see markStage).
 *
 * Every hook and subscription costs each request something, recorded or not, so what can be
 * limited to recorded requests is: while none runs, Fastify sees no subscriber and calls handlers
 * directly, and a response has no listener of glassbox's.
 *
 * @example
 * const follow = installFastifySteps(app, (request) => contextOf(request));
 * // in the onRequest hook, for a recorded request:
 * follow(ctx, reply.raw);
 */
export function installFastifySteps(app: FastifyInstance, contextOf: ContextOf): FollowStages {
  lookup = contextOf;
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
    // An app hook ahead of glassbox's may have waited while the client went away: no 'close' then.
    if (!res.closed) res.once("close", subscribeHandler());
    // Fastify runs the app's onResponse hooks from its own 'finish' listener, added before any
    // hook runs: prepended, this one starts the stage ahead of them.
    res.prependOnceListener("finish", () => markStage(ctx, "hook", "onResponse"));
  };
}
