/**
 * Koa middleware as steps, nested as the onion they are. App middleware are wrapped when the app
 * composes its chain (glassbox needs the app for that: `glassbox({ app })`); @koa/router's route
 * handlers are wrapped in place by the Koa adapter with the same wrapper.
 *
 * A step's down time runs from its call to its next(); its up time from next() settling to its
 * own promise settling. Its whole time includes the middleware inside it.
 */
import { tryGetContext } from "../../core/context.js";
import { patchMethod } from "../guard.js";
import { closeStep, currentStep, firstSeenError, openStep, runAsCurrent, type StepKind } from "./step.js";

type Handler = (...args: unknown[]) => unknown;

export interface KoaStepInit {
  kind: StepKind;
  name: string;
  path?: string;
}

const isThenable = (v: unknown): v is Promise<unknown> =>
  typeof (v as { then?: unknown } | null)?.then === "function";

/**
 * Wraps one Koa middleware (or route handler) so each call inside a recorded request is a step
 * with down and up times. Outside a request it calls the original and nothing else. Own
 * properties of the original (a router's `.router`) are kept on the wrapper.
 *
 * @example
 * patchMethod(router.stack[0].stack, "0", (original) => timedKoaStep(original, { kind: "handler", name: "getUser" }));
 */
export function timedKoaStep(original: Handler, init: KoaStepInit): Handler {
  const wrapped = function glassboxKoaStep(this: unknown, ...args: unknown[]) {
    const ctx = tryGetContext();
    const parent = ctx ? currentStep(ctx) : undefined;
    const step = ctx ? openStep(ctx, parent ? { ...init, parent } : init) : undefined;
    if (!ctx || !step) return original.apply(this, args);
    const next = args[1];
    if (typeof next === "function") {
      args[1] = function glassboxKoaNext(this: unknown, ...nextArgs: unknown[]) {
        step.nextAt ??= ctx.now();
        const result = runAsCurrent(ctx, step, () => next.apply(this, nextArgs));
        if (!isThenable(result)) {
          step.resumeAt ??= ctx.now();
          return result;
        }
        return result.then(
          (value) => {
            step.resumeAt ??= ctx.now();
            return value;
          },
          (error: unknown) => {
            step.resumeAt ??= ctx.now();
            throw error;
          },
        );
      };
    }
    let result: unknown;
    try {
      result = runAsCurrent(ctx, step, () => original.apply(this, args));
    } catch (error) {
      closeStep(ctx, step, { error: firstSeenError(ctx, error) });
      throw error;
    }
    if (!isThenable(result)) {
      closeStep(ctx, step);
      return result;
    }
    return result.then(
      (value) => {
        closeStep(ctx, step);
        return value;
      },
      (error: unknown) => {
        closeStep(ctx, step, { error: firstSeenError(ctx, error) });
        throw error;
      },
    );
  };
  return Object.assign(wrapped, original);
}

/** The part of a Koa app glassbox uses here: its `compose` option, called once by `callback()`. */
export interface ComposingApp {
  readonly middleware: readonly unknown[];
  compose?: (middleware: unknown[]) => unknown;
}

/**
 * Makes every middleware of a Koa app (except glassbox's own) a step, by wrapping them as the app
 * composes its chain: Koa's `compose` is an app option, called once when `listen()` or
 * `callback()` builds the request handler, so this must run before that. Returns the undo
 * (middleware already composed stay wrapped and do nothing outside a recorded request).
 *
 * @example
 * const app = new Koa();
 * composeWithSteps(app, glassboxMiddleware);
 * app.listen(3000);
 */
export function composeWithSteps(app: ComposingApp, own: unknown): () => void {
  return patchMethod(
    app,
    "compose",
    (original) =>
      function glassboxCompose(this: unknown, middleware: unknown) {
        const wrapped = Array.isArray(middleware)
          ? middleware.map((fn: unknown) =>
              fn === own || typeof fn !== "function"
                ? fn
                : timedKoaStep(fn as Handler, initOf(fn as Handler)),
            )
          : middleware;
        return original.call(this, wrapped);
      },
  );
}

function initOf(fn: Handler): KoaStepInit {
  const router = (fn as { router?: { opts?: { prefix?: unknown } } }).router;
  if (router) {
    const prefix = router.opts?.prefix;
    return typeof prefix === "string" && prefix
      ? { kind: "router", name: "router", path: prefix }
      : { kind: "router", name: "router" };
  }
  return { kind: "middleware", name: fn.name || "anonymous" };
}
