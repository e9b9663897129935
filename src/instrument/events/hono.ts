/**
 * Hono's matched middleware and handlers as steps. Hono's compose sets `c.req.routeIndex` each
 * time it dispatches the next handler, so glassbox watches that one property on the request
 * (an accessor on that request object only: no framework code is patched). A step runs from its
 * dispatch until it calls next() (the next dispatch); the last step runs until the chain returns
 * to glassbox. What a middleware does after `await next()` is not observable and not counted.
 */
import type { RequestContext } from "../../core/context.js";
import { closeStep, openStep, type StepEvent } from "./step.js";

/** The shape of a `c.req.matchedRoutes` entry (Hono 4). */
interface MatchedRoute {
  method: string;
  path: string;
  handler: Function;
}

/** What glassbox reads and watches on Hono's request. */
export interface DispatchingRequest {
  routeIndex: number;
  readonly matchedRoutes: readonly MatchedRoute[];
}

export interface HonoDispatchTrace {
  /** Ends the last step and names every step from the matched routes; call once the chain ran. */
  finish(): void;
}

/**
 * Starts watching the dispatches of one Hono request. Returns undefined when the property
 * cannot be watched (another Hono version); the request then simply has no steps.
 *
 * @example
 * const trace = traceHonoDispatch(ctx, c.req);
 * try { await next(); } finally { trace?.finish(); }
 */
export function traceHonoDispatch(
  ctx: RequestContext,
  req: DispatchingRequest,
): HonoDispatchTrace | undefined {
  const steps: Array<{ index: number; step: StepEvent }> = [];
  let index: unknown = req.routeIndex;
  try {
    const own = Object.getOwnPropertyDescriptor(req, "routeIndex");
    if (own && (!own.configurable || !own.writable)) return undefined;
    Object.defineProperty(req, "routeIndex", {
      configurable: true,
      enumerable: true,
      get: () => index,
      set: (value: unknown) => {
        index = value;
        if (typeof value === "number") dispatched(value);
      },
    });
  } catch {
    return undefined;
  }

  function dispatched(i: number): void {
    try {
      const previous = steps[steps.length - 1];
      if (previous) previous.step.nextAt ??= ctx.now();
      // Nested as the onion Hono runs: each step is inside the one that called next().
      const step = openStep(ctx, {
        kind: "middleware",
        name: `#${i}`,
        ...(previous ? { parent: previous.step } : {}),
      });
      if (step) steps.push({ index: i, step });
    } catch {
      // Bookkeeping only.
    }
  }

  return {
    finish() {
      try {
        const routes = req.matchedRoutes;
        for (const { index: i, step } of steps) {
          // Its time is the time until it called next(); the last one's until now.
          closeStep(ctx, step);
          if (step.nextAt !== undefined) step.endAt = step.nextAt;
          const route = routes[i];
          if (!route) continue;
          // A function that takes next is a middleware (Hono's own logger tells them apart so).
          const middleware = route.handler.length >= 2;
          step.kind = middleware ? "middleware" : "handler";
          step.name = route.handler.name || (middleware ? "anonymous" : `${route.method} ${route.path}`);
          step.path = route.path;
        }
        // Hono reads its own property back as a plain number from here on.
        Object.defineProperty(req, "routeIndex", {
          configurable: true,
          enumerable: true,
          writable: true,
          value: index,
        });
      } catch {
        // Bookkeeping only.
      }
    },
  };
}
