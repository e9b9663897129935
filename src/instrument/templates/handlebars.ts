import { sharedPatch } from "../shared-patch.js";
import { beginRender, track } from "../template-event.js";

interface PartialOptions {
  name?: unknown;
}

/**
 * Records Handlebars partials, nested under the view that renders them, by wrapping
 * `Handlebars.VM.invokePartial`: every environment (`Handlebars.create()`, express-handlebars'
 * instance) shares that runtime object and calls it for each partial. Pass the handlebars
 * module; returns the undo; idempotent.
 *
 * @example
 * import Handlebars from "handlebars";
 * import { instrumentHandlebars } from "glassbox";
 * instrumentHandlebars(Handlebars);
 */
export function instrumentHandlebars(handlebars: unknown): () => void {
  const vm = runtimeOf(handlebars);
  if (!vm) return () => {};
  return sharedPatch(
    vm,
    "invokePartial",
    (original) =>
      function glassboxHandlebarsPartial(this: unknown, ...args: unknown[]) {
        const options = args[2] as PartialOptions | undefined;
        const name = typeof options?.name === "string" ? options.name : "(partial)";
        const render = beginRender({ kind: "partial", source: "handlebars", engine: "handlebars", name });
        return track(render, () => original.apply(this, args));
      },
  );
}

function runtimeOf(handlebars: unknown): object | undefined {
  const mod = handlebars as {
    VM?: { invokePartial?: unknown };
    default?: { VM?: { invokePartial?: unknown } };
  };
  const vm = mod?.VM ?? mod?.default?.VM;
  return typeof vm?.invokePartial === "function" ? vm : undefined;
}
