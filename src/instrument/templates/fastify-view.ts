import { extname } from "node:path";
import { patchMethod } from "../guard.js";
import { beginRender, endRender, type OpenRender, track } from "../template-event.js";

type Fn = (...args: unknown[]) => unknown;
// Fastify is an optional peer: the few shapes glassbox uses.
interface FastifyInstance {
  addHook(name: "onRequest", hook: (request: unknown, reply: object, done: () => void) => void): unknown;
}
interface FastifyViewOptions {
  /** The `propertyName` given to @fastify/view (default "view"). */
  propertyName?: string;
  /** The `asyncPropertyName` given to @fastify/view (default `${propertyName}Async`). */
  asyncPropertyName?: string;
}

/**
 * Records @fastify/view renders: `reply.view`, `reply.viewAsync` and `fastify.view`, with the
 * page name, render time and the data's keys (reply.locals included), values bounded and masked.
 * Call it on the instance @fastify/view was registered on, after registering it and before the
 * server starts: the instance decorator is wrapped at once, and the reply decorators on the first
 * request (through an onRequest hook, since Fastify has no public way to reach the Reply
 * prototype). Returns the undo.
 *
 * @example
 * import Fastify from "fastify";
 * import fastifyView from "@fastify/view";
 * import ejs from "ejs";
 * import { instrumentFastifyView } from "glassbox";
 * const app = Fastify();
 * await app.register(fastifyView, { engine: { ejs }, root: "views" });
 * instrumentFastifyView(app);
 */
export function instrumentFastifyView(fastify: unknown, options: FastifyViewOptions = {}): () => void {
  const instance = fastify as FastifyInstance & Record<string, unknown>;
  if (!instance || typeof instance.addHook !== "function") return () => {};
  const property = options.propertyName ?? "view";
  const asyncProperty = options.asyncPropertyName ?? `${property}Async`;
  const undo: (() => void)[] = [patchMethod(instance, property, (original) => wrapInstanceView(original))];
  const patched = { [property]: new WeakSet<object>(), [asyncProperty]: new WeakSet<object>() };
  let active = true;
  try {
    instance.addHook("onRequest", (_request, reply, done) => {
      try {
        if (active) patchReply(reply, property, asyncProperty, patched, undo);
      } catch {
        // Never fail the request: the render is simply not recorded.
      }
      done();
    });
  } catch {
    // Too late to add a hook (the server already started): only fastify.view is recorded.
  }
  return () => {
    active = false;
    for (const u of undo.splice(0)) u();
  };
}

/** Wraps reply.view / reply.viewAsync where they are defined: the decorated Reply prototype. */
function patchReply(
  reply: object,
  property: string,
  asyncProperty: string,
  patched: Record<string, WeakSet<object>>,
  undo: (() => void)[],
): void {
  for (const name of [property, asyncProperty]) {
    const owner = ownerOf(reply, name);
    const seen = patched[name];
    if (!owner || !seen || seen.has(owner)) continue;
    seen.add(owner);
    undo.push(
      patchMethod(owner, name, (original) =>
        name === property ? wrapReplyView(original) : wrapReplyViewAsync(original),
      ),
    );
  }
}

function ownerOf(object: object, name: string): object | undefined {
  let proto: object | null = Object.getPrototypeOf(object);
  while (proto && proto !== Object.prototype) {
    if (Object.hasOwn(proto, name)) return proto;
    proto = Object.getPrototypeOf(proto);
  }
  return undefined;
}

function startView(page: unknown, data: unknown, locals: unknown): OpenRender | undefined {
  const name =
    typeof page === "string" ? page : typeof page === "function" ? "(compiled template)" : "(raw template)";
  const engine = typeof page === "string" ? extname(page).slice(1) : "";
  const merged =
    locals && typeof locals === "object"
      ? { ...(locals as object), ...(data && typeof data === "object" ? (data as object) : {}) }
      : data;
  return beginRender({
    kind: "view",
    source: "fastify-view",
    name,
    ...(engine ? { engine } : {}),
    data: merged,
    callSite: true,
  });
}

/** reply.view: resolves with the reply even when rendering failed (the error is sent instead). */
function wrapReplyView(original: Fn): Fn {
  return function glassboxReplyView(this: { locals?: unknown; statusCode?: number }, ...args: unknown[]) {
    const render = startView(args[0], args[1], this?.locals);
    if (!render) return original.apply(this, args);
    const result = original.apply(this, args);
    Promise.resolve(result).then(
      () =>
        endRender(
          render,
          (this?.statusCode ?? 200) >= 500 ? `render failed: status ${this.statusCode}` : undefined,
        ),
      (error: unknown) => endRender(render, error),
    );
    return result;
  };
}

/** reply.viewAsync: resolves with the HTML, rejects with the render error. */
function wrapReplyViewAsync(original: Fn): Fn {
  return function glassboxReplyViewAsync(this: { locals?: unknown }, ...args: unknown[]) {
    return track(startView(args[0], args[1], this?.locals), () => original.apply(this, args));
  };
}

/** fastify.view(page, data[, opts][, callback]). */
function wrapInstanceView(original: Fn): Fn {
  const wrapped = function glassboxFastifyView(this: unknown, ...args: unknown[]) {
    const render = startView(args[0], args[1], undefined);
    const last = args[args.length - 1];
    if (render && typeof last === "function") {
      args[args.length - 1] = function glassboxViewDone(this: unknown, error: unknown, html: unknown) {
        endRender(render, error ?? undefined);
        return (last as Fn).call(this, error, html);
      };
      return original.apply(this, args);
    }
    return track(render, () => original.apply(this, args));
  };
  // Keep what @fastify/view hangs on its decorator (fastify.view.clearCache()).
  return Object.assign(wrapped, original);
}
