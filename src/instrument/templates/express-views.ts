import { sharedPatch } from "../shared-patch.js";
import { beginRender, endRender } from "../template-event.js";

// Express is an optional peer: the few shapes glassbox reads of its View (Express 4 and 5).
interface ExpressView {
  name?: string;
  path?: string;
  ext?: string;
}
type RenderCallback = (error: unknown, html?: string) => void;

/**
 * Records every `res.render` / `app.render` of an Express app, whatever the view engine, by
 * wrapping the render of Express's View class: the one place each render passes with its
 * template name, resolved file and the merged data (app.locals, res.locals, render options).
 * Pass an app (its `view` setting is used, so a custom View class works too) or a View class.
 * Returns the undo; idempotent.
 *
 * @example
 * import express from "express";
 * import { instrumentExpressViews } from "glassbox";
 * const app = express();
 * instrumentExpressViews(app);
 */
export function instrumentExpressViews(target: unknown): () => void {
  const proto = viewPrototype(target);
  if (!proto) return () => {};
  return sharedPatch(
    proto,
    "render",
    (original) =>
      function glassboxExpressRender(this: ExpressView, ...args: unknown[]) {
        const callback = args[1];
        if (typeof callback !== "function") return original.apply(this, args);
        const render = beginRender({
          kind: "view",
          source: "express",
          engine: (this.ext ?? "").replace(/^\./, "") || "unknown",
          name: this.name ?? "(unnamed)",
          ...(this.path ? { file: this.path } : {}),
          data: args[0],
          callSite: true,
        });
        if (!render) return original.apply(this, args);
        let ended = false;
        const end = (error?: unknown) => {
          if (ended) return;
          ended = true;
          endRender(render, error);
        };
        const done: RenderCallback = function glassboxRenderDone(this: unknown, error, html) {
          end(error);
          return (callback as (...a: unknown[]) => unknown).apply(this, [error, html]);
        };
        try {
          return original.call(this, args[0], done, ...args.slice(2));
        } catch (error) {
          end(error);
          throw error;
        }
      },
  );
}

function viewPrototype(target: unknown): object | undefined {
  if (!target) return undefined;
  const app = target as { get?: (name: string) => unknown; settings?: Record<string, unknown> };
  // An app: its `view` setting (Express's View, or the app's own class).
  const fromApp =
    app.settings?.view ?? (typeof app.get === "function" && app.settings ? app.get("view") : undefined);
  for (const candidate of [fromApp, target, (target as { View?: unknown }).View]) {
    const proto = (candidate as { prototype?: { render?: unknown; lookup?: unknown } } | undefined)
      ?.prototype;
    if (typeof proto?.render === "function" && typeof proto.lookup === "function") return proto;
  }
  return undefined;
}
