import { basename, dirname, relative } from "node:path";
import { sharedPatch } from "../shared-patch.js";
import { beginRender, currentRender, isSameTemplate, type OpenRender, track } from "../template-event.js";

type TemplateFunction = ((...args: unknown[]) => unknown) & Record<string, unknown>;
interface EjsOptions {
  filename?: string;
  client?: boolean;
}

/**
 * Records EJS includes, nested under the view that includes them, by wrapping `ejs.compile`:
 * EJS compiles every template through it (the page and each `include()`), so the template
 * functions it returns are timed when called. The page itself is already recorded by the Express
 * or @fastify/view instrumentation; an EJS render outside any view is recorded as a "template".
 * Pass the ejs module you import (its CommonJS and ESM builds are separate objects). Returns the
 * undo; idempotent. Templates compiled before the call (EJS cache) are not seen.
 *
 * @example
 * import ejs from "ejs";
 * import { instrumentEjs } from "glassbox";
 * instrumentEjs(ejs);
 */
export function instrumentEjs(ejs: unknown): () => void {
  const mod = ejsModule(ejs);
  if (!mod) return () => {};
  return sharedPatch(
    mod,
    "compile",
    (original) =>
      function glassboxEjsCompile(this: unknown, ...args: unknown[]) {
        const fn = original.apply(this, args);
        const options = (args[1] ?? {}) as EjsOptions;
        if (typeof fn !== "function" || options.client) return fn;
        try {
          return wrapTemplate(fn as TemplateFunction, options.filename);
        } catch {
          return fn;
        }
      },
  );
}

function ejsModule(ejs: unknown): object | undefined {
  const mod = ejs as { compile?: unknown; default?: { compile?: unknown } } | undefined;
  if (typeof mod?.compile === "function") return mod;
  if (typeof mod?.default?.compile === "function") return mod.default;
  return undefined;
}

function wrapTemplate(fn: TemplateFunction, file: string | undefined): TemplateFunction {
  const wrapped = function glassboxEjsTemplate(this: unknown, ...args: unknown[]) {
    const parent = currentRender();
    // The page Express or @fastify/view asked for: already recorded as the view.
    if (parent && isSameTemplate(parent, file)) return fn.apply(this, args);
    const render = beginRender({
      kind: parent ? "include" : "template",
      source: "ejs",
      engine: "ejs",
      name: file ? templateName(file, parent) : "(inline template)",
      ...(file ? { file } : {}),
      ...(parent ? {} : { data: args[0], callSite: true }),
    });
    return track(render, () => fn.apply(this, args));
  } as TemplateFunction;
  // EJS hangs properties on template functions (dependencies, ...): keep them visible.
  for (const key of Object.keys(fn)) wrapped[key] = fn[key];
  return wrapped;
}

/** An include's name as the app wrote it: relative to the including view's folder when known. */
function templateName(file: string, parent: OpenRender | undefined): string {
  if (parent?.absoluteFile) {
    const rel = relative(dirname(parent.absoluteFile), file);
    if (rel && !rel.startsWith("..")) return rel;
  }
  return basename(file);
}
