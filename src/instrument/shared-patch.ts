import { patchMethod } from "./guard.js";

type Fn = (...args: unknown[]) => unknown;

interface Holder {
  count: number;
  undo: () => void;
}

const holders = new WeakMap<object, Map<string, Holder>>();

/**
 * `patchMethod` shared by everyone who asks for the same method of the same object: the first
 * caller installs the wrapper, every caller gets its own release, and the last release restores
 * the original. So two glassbox instances (or glassbox plus an explicit `instrumentX(...)`
 * call) can come and go in any order without removing each other's recording.
 *
 * @example
 * const release = sharedPatch(Redis.prototype, "sendCommand", (original) => function (...args) {
 *   return original.apply(this, args);
 * });
 * release(); // restores sendCommand once no other holder is left
 */
export function sharedPatch<T extends object>(
  target: T,
  name: string,
  wrap: (original: Fn) => Fn,
): () => void {
  let byName = holders.get(target);
  if (!byName) {
    byName = new Map();
    holders.set(target, byName);
  }
  let holder = byName.get(name);
  if (!holder) {
    holder = { count: 0, undo: patchMethod(target, name, wrap) };
    byName.set(name, holder);
  }
  holder.count++;
  const held = holder;
  const map = byName;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--held.count > 0) return;
    held.undo();
    if (map.get(name) === held) map.delete(name);
  };
}
