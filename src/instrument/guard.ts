/**
 * Helpers every instrumentation uses: patch once (guarded by a symbol), undo on teardown, and
 * never let glassbox's own bookkeeping throw into the app.
 */

const WRAPPER = Symbol.for("glassbox.wrapper");

type Fn = (...args: unknown[]) => unknown;

/**
 * Replaces `target[name]` with `wrap(original)` unless it is already a glassbox wrapper;
 * returns the undo. Does nothing (and returns a no-op undo) when the property is not a function.
 */
export function patchMethod<T extends object>(
  target: T,
  name: string,
  wrap: (original: Fn) => Fn,
): () => void {
  const obj = target as unknown as Record<string, unknown>;
  const original = obj[name];
  if (typeof original !== "function" || (original as { [WRAPPER]?: boolean })[WRAPPER]) return () => {};
  const wrapped = wrap(original as Fn);
  Object.defineProperty(wrapped, "name", { value: original.name });
  Object.defineProperty(wrapped, WRAPPER, { value: true });
  obj[name] = wrapped;
  return () => {
    if (obj[name] === wrapped) obj[name] = original;
  };
}

/** Whether a function is a wrapper installed by patchMethod (by any copy of glassbox). */
export function isGlassboxWrapper(fn: unknown): boolean {
  return typeof fn === "function" && (fn as { [WRAPPER]?: boolean })[WRAPPER] === true;
}

/** Runs glassbox bookkeeping; any throw is reported once through `onError` and swallowed. */
export function safely(fn: () => void, onError?: (error: unknown) => void): void {
  try {
    fn();
  } catch (error) {
    try {
      onError?.(error);
    } catch {
      // Nothing more to do: the app must not see glassbox's failures.
    }
  }
}

/**
 * Shares one global patch between glassbox instances: installed by the first `acquire`, removed
 * when the last holder releases it.
 */
export function refCounted(install: () => () => void): () => () => void {
  let count = 0;
  let undo: (() => void) | undefined;
  return () => {
    if (count++ === 0) undo = install();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--count === 0) {
        undo?.();
        undo = undefined;
      }
    };
  };
}
