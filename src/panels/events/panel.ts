import { definePanel } from "../../core/panel.js";
import type { TimelineEntry } from "../../core/record.js";
import type { StepKind } from "../../instrument/events/step.js";
import { buildTree, type EventNode } from "./tree.js";
import { eventsView } from "./view.js";

export interface EventsData {
  /** The framework that ran the steps, for requests. */
  framework?: string;
  /** Every step and event in display order (a node is followed by its children). */
  nodes: EventNode[];
  totals: {
    /** Middleware, routers, routes, hooks and handlers. */
    steps: number;
    /** Point events: `event()`, watched emitters, server listen/close. */
    events: number;
    /** Own time of middleware, routers, routes and hooks. */
    middlewareMs: number;
    /** Own time of handlers. */
    handlerMs: number;
  };
  /** What the framework lets glassbox measure, when it is less than everything. */
  note?: string;
}

const POINT_KINDS: ReadonlySet<StepKind> = new Set(["user", "emitter", "lifecycle"]);
const round = (n: number) => Math.round(n * 1000) / 1000;

const NOTES: Record<string, string> = {
  express:
    "Express: a layer runs from when it is called until it calls next(); the layer that answered runs until the response finished.",
  fastify:
    "Fastify: each stage (all its hooks) runs until the next stage starts, so preParsing includes body parsing, preValidation schema validation, and onSend writing the response.",
  koa: "Koa: down is the time before next(), up the time after next() settled; a middleware's time includes the ones inside it.",
  hono: "Hono: each middleware's time runs until it called next(); the last step's time runs until the chain returned to glassbox. Time after next() is not observable.",
};

/**
 * Where time went between middleware and hooks: each framework step with its time, as a tree,
 * plus user events, watched emitter events and server lifecycle events.
 */
export const eventsPanel = definePanel<undefined, EventsData>({
  id: "events",
  title: "Events",
  view: eventsView,
  finish(ctx) {
    const steps = ctx.events("step");
    if (steps.length === 0 && ctx.kind !== "request") return undefined;
    const answered = ctx.kind === "request" && ctx.response !== undefined && !ctx.response.aborted;
    const nodes = buildTree(steps, ctx.durationMs, { creditOpenStep: answered });
    let events = 0;
    let middlewareMs = 0;
    let handlerMs = 0;
    for (const node of nodes) {
      if (POINT_KINDS.has(node.kind)) events++;
      else if (node.kind === "handler") handlerMs += node.selfMs;
      else middlewareMs += node.selfMs;
    }
    const data: EventsData = {
      nodes,
      totals: {
        steps: nodes.length - events,
        events,
        middlewareMs: round(middlewareMs),
        handlerMs: round(handlerMs),
      },
    };
    if (ctx.kind === "request" && ctx.framework) {
      data.framework = ctx.framework;
      const note = NOTES[ctx.framework];
      if (note && data.totals.steps > 0) data.note = note;
    }
    const timeline: TimelineEntry[] = nodes.map((node) => {
      const entry: TimelineEntry = {
        panel: "events",
        label: POINT_KINDS.has(node.kind) ? `event ${node.name}` : `${node.kind} ${node.name}`,
        startMs: node.startMs,
        durationMs: node.durationMs,
        depth: node.depth,
      };
      if (node.error) entry.error = true;
      return entry;
    });
    return {
      data,
      summary: summaryOf(data),
      stats: {
        "events.count": nodes.length,
        "events.steps": data.totals.steps,
        "events.user": events,
        "events.middlewareMs": data.totals.middlewareMs,
        "events.handlerMs": data.totals.handlerMs,
      },
      timeline,
    };
  },
});

function summaryOf(data: EventsData): string {
  const { steps, events, middlewareMs } = data.totals;
  const parts: string[] = [];
  if (steps)
    parts.push(`${steps} ${steps === 1 ? "step" : "steps"}, ${middlewareMs.toFixed(1)} ms in middleware`);
  if (events) parts.push(`${events} ${events === 1 ? "event" : "events"}`);
  return parts.join(", ") || "no steps";
}
