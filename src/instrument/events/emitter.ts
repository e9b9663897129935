import type { EventEmitter } from "node:events";
import { activeContext } from "../../core/context.js";
import { patchMethod } from "../guard.js";
import { boundedData } from "./data.js";
import { pointStep, stepsEnabled } from "./step.js";

type EventName = string | symbol;

export interface WatchEmitterOptions {
  /** Shown before each event name ("orders: created"). Default: the emitter's class name. */
  label?: string;
}

interface Watch {
  /** Event name → how many watchers asked for it, with the label of the first. */
  readonly names: Map<EventName, { count: number; label: string }>;
  readonly undo: () => void;
}

const watches = new WeakMap<EventEmitter, Watch>();

/**
 * Records the given events of an EventEmitter in the Events panel: in the request that emitted
 * them, else in the background record, with their arguments masked and bounded. It observes
 * `emit` itself, so no listener is added: an unhandled "error" still throws as before. Returns
 * the undo.
 *
 * @example
 * import { EventEmitter } from "node:events";
 * import { watchEmitter } from "glassbox";
 * const orders = new EventEmitter();
 * const unwatch = watchEmitter(orders, ["created", "cancelled"], { label: "orders" });
 * orders.emit("created", { id: 42 }); // "orders: created" with data [{ id: 42 }]
 */
export function watchEmitter(
  emitter: EventEmitter,
  eventNames: readonly EventName[],
  options: WatchEmitterOptions = {},
): () => void {
  if (typeof emitter?.emit !== "function") return () => {};
  const label = options.label ?? emitter.constructor?.name ?? "emitter";
  let watch = watches.get(emitter);
  if (!watch) {
    const names = new Map<EventName, { count: number; label: string }>();
    const hadOwnEmit = Object.hasOwn(emitter, "emit");
    const unpatch = patchMethod(
      emitter,
      "emit",
      (original) =>
        function glassboxEmit(this: unknown, ...args: unknown[]) {
          const watched = names.get(args[0] as EventName);
          if (watched) record(watched.label, args[0] as EventName, args.slice(1));
          return original.apply(this, args);
        },
    );
    // The wrapper sits on the instance: once undone, the emitter reads emit from its class again.
    const undo = () => {
      unpatch();
      const own = Object.getOwnPropertyDescriptor(emitter, "emit")?.value;
      if (!hadOwnEmit && own === Object.getPrototypeOf(emitter)?.emit)
        delete (emitter as { emit?: unknown }).emit;
    };
    watch = { names, undo };
    watches.set(emitter, watch);
  }
  const held = [...new Set(eventNames)];
  for (const name of held) {
    const entry = watch.names.get(name);
    if (entry) entry.count++;
    else watch.names.set(name, { count: 1, label });
  }
  const current = watch;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const name of held) {
      const entry = current.names.get(name);
      if (entry && --entry.count <= 0) current.names.delete(name);
    }
    if (current.names.size === 0) {
      current.undo();
      if (watches.get(emitter) === current) watches.delete(emitter);
    }
  };
}

function record(label: string, name: EventName, args: unknown[]): void {
  try {
    const ctx = activeContext();
    // Before bounding the data (a JSON round trip): nothing to do when the panel is off.
    if (!ctx || !stepsEnabled(ctx)) return;
    const init: Parameters<typeof pointStep>[1] = { kind: "emitter", name: `${label}: ${String(name)}` };
    if (args.length) {
      const kept = boundedData(ctx, args);
      init.data = kept.data;
      if (kept.truncated) init.truncated = true;
    }
    pointStep(ctx, init);
  } catch {
    // Recording must never affect the emit.
  }
}
