/**
 * Express (4 and 5) layers as steps. The Express adapter calls `beginLayerStep` from its one
 * Layer patch (handle_request / handleRequest, and the error path for error handlers).
 *
 * A layer's time runs from when Express calls it until it calls next(); a layer that never calls
 * next() (it answered, or a router/route that contains the one that answered) runs until the
 * response has finished. Time a middleware spends after calling next() is not its own: Express
 * middleware are a chain, not an onion.
 */
import type { ServerResponse } from "node:http";
import { mountPattern } from "../../adapters/express/mount-patterns.js";
import type { RequestContext } from "../../core/context.js";
import { claimResponse, closeStep, firstSeenError, openStep, type StepEvent, type StepKind } from "./step.js";

/** The parts of an Express Layer a step is named from. */
export interface StepLayer {
  name?: string;
  handle?: ((...args: never[]) => unknown) & { stack?: unknown[] };
  route?: { path: string | string[]; methods: Record<string, boolean>; stack?: unknown[] };
  rawPath?: unknown;
  regexp?: RegExp & { fast_slash?: boolean };
  keys?: { name: string | number; optional?: boolean }[];
}

type Next = (error?: unknown) => void;

/** Per request: the routers and routes still running, so a layer finds the one it belongs to. */
interface Container {
  readonly step: StepEvent;
  readonly stack: readonly unknown[];
}
const containers = new WeakMap<RequestContext, Container[]>();

/**
 * Starts the step of one Express layer and returns the `next` to hand to it, which ends the step
 * when called. Returns `next` unchanged when nothing is recorded. Never throws.
 *
 * @example
 * // Inside the Layer patch:
 * return original.call(this, req, res, beginLayerStep(ctx, this, res, next));
 */
export function beginLayerStep(
  ctx: RequestContext,
  layer: StepLayer,
  res: ServerResponse,
  next: Next,
  errorHandler = false,
): Next {
  let step: StepEvent | undefined;
  let container: Container | undefined;
  try {
    const open = containers.get(ctx);
    const parent = open ? findParent(open, layer) : undefined;
    const kind = kindOf(layer, parent?.step);
    const { name, path } = describeLayer(layer, kind, errorHandler);
    step = openStep(ctx, {
      kind,
      name,
      ...(path ? { path } : {}),
      ...(parent ? { parent: parent.step } : {}),
    });
    if (!step) return next;
    step.endedBefore = res.writableEnded;
    const stack = kind === "route" ? layer.route?.stack : kind === "router" ? layer.handle?.stack : undefined;
    if (stack) {
      container = { step, stack };
      if (open) open.push(container);
      else containers.set(ctx, [container]);
    }
  } catch {
    return next;
  }
  const started = step;
  const entered = container;
  return function glassboxLayerNext(error?: unknown) {
    if (started.endAt === undefined) {
      try {
        // Routing signals are not errors, and an error only passing up is not this layer's own.
        const passedError =
          error !== undefined &&
          error !== null &&
          error !== "route" &&
          error !== "router" &&
          firstSeenError(ctx, error);
        if (!started.endedBefore && res.writableEnded) claimResponse(ctx, started);
        closeStep(ctx, started, { error: passedError });
        if (entered) removeContainer(ctx, entered);
      } catch {
        // Bookkeeping only: Express must still get its next().
      }
    }
    return next(error);
  };
}

// A layer's name and path never change: work them out once (mount patterns parse a RegExp).
const described = new WeakMap<object, Map<string, { name: string; path: string | undefined }>>();

function describeLayer(
  layer: StepLayer,
  kind: StepKind,
  errorHandler: boolean,
): { name: string; path: string | undefined } {
  const key = `${kind}:${errorHandler}`;
  let byKind = described.get(layer);
  if (!byKind) {
    byKind = new Map();
    described.set(layer, byKind);
  }
  let found = byKind.get(key);
  if (!found) {
    found = { name: nameOf(layer, kind, errorHandler), path: pathOf(layer) };
    byKind.set(key, found);
  }
  return found;
}

/** The innermost running router or route whose stack holds this layer. */
function findParent(open: readonly Container[], layer: StepLayer): Container | undefined {
  for (let i = open.length - 1; i >= 0; i--) {
    const c = open[i]!;
    if (c.step.endAt === undefined && c.stack.includes(layer)) return c;
  }
  return undefined;
}

function removeContainer(ctx: RequestContext, container: Container): void {
  const open = containers.get(ctx);
  const i = open ? open.lastIndexOf(container) : -1;
  if (open && i >= 0) open.splice(i, 1);
}

function kindOf(layer: StepLayer, parent: StepEvent | undefined): StepKind {
  if (layer.route) return "route";
  if (Array.isArray(layer.handle?.stack)) return "router";
  return parent?.kind === "route" ? "handler" : "middleware";
}

function nameOf(layer: StepLayer, kind: StepKind, errorHandler: boolean): string {
  if (kind === "route") {
    const methods = Object.keys(layer.route!.methods)
      .filter((m) => layer.route!.methods[m] && m !== "_all")
      .map((m) => m.toUpperCase());
    return `${methods.length ? methods.join(",") : "ALL"} ${routePath(layer)}`;
  }
  if (kind === "router") return "router";
  const fn = layer.handle?.name || layer.name;
  const name = fn && fn !== "<anonymous>" ? fn : "anonymous";
  return errorHandler ? `${name} (error handler)` : name;
}

function routePath(layer: StepLayer): string {
  const path = layer.route?.path;
  return Array.isArray(path) ? path.join("|") : String(path ?? "");
}

/** Where the layer is registered: the route's path, or a middleware's or router's mount path. */
function pathOf(layer: StepLayer): string | undefined {
  if (layer.route) return routePath(layer) || undefined;
  return mountPattern(layer) || undefined;
}
