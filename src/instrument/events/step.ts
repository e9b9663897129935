/**
 * The step event the Events panel is made of, and the per-request bookkeeping every framework
 * tracker shares: ids, which steps are still open, and which step ended the response.
 */
import type { BaseEvent, RequestContext } from "../../core/context.js";

/**
 * What a step is. Framework steps: "middleware", "router", "route", "hook" (a Fastify stage),
 * "handler". Point events: "user" (`event()`), "emitter" (`watchEmitter()`), "lifecycle"
 * (server listen and close).
 */
export type StepKind =
  | "middleware"
  | "router"
  | "route"
  | "hook"
  | "handler"
  | "user"
  | "emitter"
  | "lifecycle";

/** One step of a request (a middleware, a hook, a handler) or one point event. */
export interface StepEvent extends BaseEvent {
  /** Unique within the process; children name their parent's id in `parentId`. */
  id: number;
  parentId?: number;
  kind: StepKind;
  name: string;
  /** The path the step is registered at ("/api", "/users/:id"), when it has one. */
  path?: string;
  /** Milliseconds from the context's start when the step ended; unset while it runs. */
  endAt?: number;
  /** Koa and Hono: when the step called next(), so its downstream time is known. */
  nextAt?: number;
  /** Koa: when next() settled, so its upstream time is known. */
  resumeAt?: number;
  /** The response was ended while this step was the innermost one running. */
  endedResponse?: boolean;
  /** The step passed an error on (next(err), a throw, a rejection). */
  error?: boolean;
  /** Point events: the data, masked and bounded. */
  data?: unknown;
  /** `data` was cut to fit `events.maxDataBytes`. */
  truncated?: boolean;
  /**
   * Whether the response had already ended when the step started; set only by trackers that
   * can tell which step ended the response (Express).
   */
  endedBefore?: boolean;
}

declare module "../../core/context.js" {
  interface GlassboxEvents {
    step: StepEvent;
  }
}

interface StepTrace {
  /** Steps started and not ended, oldest first. */
  readonly open: StepEvent[];
  /** Some step already took credit for ending the response. */
  responseClaimed: boolean;
  /** The step whose code runs synchronously right now (Koa's onion: the parent of the next one). */
  current?: StepEvent;
  /** Errors a step already owned: the same error passing up through its parents is not theirs. */
  errors?: WeakSet<object>;
}

const traces = new WeakMap<RequestContext, StepTrace>();
let lastId = 0;

function traceOf(ctx: RequestContext): StepTrace {
  let trace = traces.get(ctx);
  if (!trace) {
    trace = { open: [], responseClaimed: false };
    traces.set(ctx, trace);
  }
  return trace;
}

const enabledByOwner = new WeakMap<object, boolean>();

/** Whether this glassbox records steps at all: not when the events panel is disabled. */
export function stepsEnabled(ctx: RequestContext): boolean {
  let enabled = enabledByOwner.get(ctx.owner);
  if (enabled === undefined) {
    const disabled = (ctx.owner.config as { disablePanels?: readonly string[] }).disablePanels;
    enabled = !disabled?.includes("events");
    enabledByOwner.set(ctx.owner, enabled);
  }
  return enabled;
}

/**
 * Starts a step in `ctx` and records it (it is filled in as it runs). Undefined when steps are
 * off or the per-request event limit is reached (the step is then counted as dropped).
 *
 * @example
 * const step = openStep(ctx, { kind: "middleware", name: "auth" });
 * // ... the middleware runs ...
 * if (step) closeStep(ctx, step);
 */
export function openStep(
  ctx: RequestContext,
  init: { kind: StepKind; name: string; path?: string; parent?: StepEvent },
): StepEvent | undefined {
  if (!stepsEnabled(ctx)) return undefined;
  const before = ctx.events("step").length;
  lastId = (lastId + 1) % Number.MAX_SAFE_INTEGER;
  const step: StepEvent = { at: ctx.now(), id: lastId, kind: init.kind, name: init.name };
  if (init.parent) step.parentId = init.parent.id;
  if (init.path) step.path = init.path;
  ctx.emit("step", step);
  // Over the limit the event was counted as dropped, not stored: do not track it either.
  if (ctx.events("step").length === before) return undefined;
  traceOf(ctx).open.push(step);
  return step;
}

/** Ends a step now (only the first call counts). */
export function closeStep(ctx: RequestContext, step: StepEvent, outcome: { error?: boolean } = {}): void {
  if (step.endAt !== undefined) return;
  step.endAt = ctx.now();
  if (outcome.error) step.error = true;
  const open = traces.get(ctx)?.open;
  const i = open ? open.lastIndexOf(step) : -1;
  if (open && i >= 0) open.splice(i, 1);
}

/** Records a point event (no duration) in `ctx`, under the innermost step running now. */
export function pointStep(
  ctx: RequestContext,
  init: { kind: StepKind; name: string; data?: unknown; truncated?: boolean },
): void {
  if (!stepsEnabled(ctx)) return;
  const at = ctx.now();
  lastId = (lastId + 1) % Number.MAX_SAFE_INTEGER;
  const step: StepEvent = { at, id: lastId, kind: init.kind, name: init.name, endAt: at };
  const parent = innermostOpen(ctx);
  if (parent) step.parentId = parent.id;
  if (init.data !== undefined) step.data = init.data;
  if (init.truncated) step.truncated = true;
  ctx.emit("step", step);
}

/** The step started last among those still running, if any. */
export function innermostOpen(ctx: RequestContext): StepEvent | undefined {
  const trace = traces.get(ctx);
  return trace?.current ?? trace?.open[trace.open.length - 1];
}

/** The open steps, oldest first (read-only view, for trackers looking for a parent). */
export function openSteps(ctx: RequestContext): readonly StepEvent[] {
  return traces.get(ctx)?.open ?? [];
}

/**
 * Gives `step` the credit for ending the response, unless another step already has it.
 *
 * @example
 * if (!step.endedBefore && res.writableEnded) claimResponse(ctx, step);
 */
export function claimResponse(ctx: RequestContext, step: StepEvent): void {
  const trace = traceOf(ctx);
  if (trace.responseClaimed) return;
  trace.responseClaimed = true;
  step.endedResponse = true;
}

/** Whether a step already took credit for ending the response. */
export function responseClaimed(ctx: RequestContext): boolean {
  return traces.get(ctx)?.responseClaimed === true;
}

/**
 * Runs `fn` with `step` as the step running synchronously now, so a step started inside it
 * (Koa's next middleware, a router's handlers) finds its parent.
 */
export function runAsCurrent<T>(ctx: RequestContext, step: StepEvent, fn: () => T): T {
  const trace = traceOf(ctx);
  const previous = trace.current;
  trace.current = step;
  try {
    return fn();
  } finally {
    trace.current = previous;
  }
}

/**
 * Whether `error` is new in this request: true the first time (the innermost step that saw it
 * owns it), false when it only passes up through the steps around it.
 */
export function firstSeenError(ctx: RequestContext, error: unknown): boolean {
  if (typeof error !== "object" || error === null) return true;
  const trace = traceOf(ctx);
  trace.errors ??= new WeakSet();
  if (trace.errors.has(error)) return false;
  trace.errors.add(error);
  return true;
}

/** The step whose code runs synchronously now (see runAsCurrent). */
export function currentStep(ctx: RequestContext): StepEvent | undefined {
  return traces.get(ctx)?.current;
}
