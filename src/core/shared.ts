/**
 * Marks panel data that is the same object for many records (versions, settings, route lists).
 * A store may then write it once and refer to it from each record, instead of serializing it
 * per request; readers get the whole value back. Mark only objects that are never mutated.
 */
const shared = new WeakSet<object>();

export function markShared<T extends object>(value: T): T {
  shared.add(value);
  return value;
}

export function isShared(value: unknown): value is object {
  return typeof value === "object" && value !== null && shared.has(value);
}
