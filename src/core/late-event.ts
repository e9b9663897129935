/**
 * Events that arrive after their request's record was built: work the request started and did
 * not wait for (a query sent after the response, a timer, a pool connection's socket opened
 * inside the request). They go to the background record, linked to the request they came from.
 */
import type { BaseEvent, EventType, GlassboxEvents, RequestContext } from "./context.js";

/** Requests one background record links to; past it, events still move, links are not added. */
const MAX_LINKS = 50;

/**
 * Copies `event` from the sealed context `from` into `to`, its times made relative to `to`'s
 * start (an event that began before `to` did starts at 0). A step still open as it is emitted
 * is a framework stage of the ended request (a middleware, a hook), not work of its own: it is
 * dropped, and a point event loses its parent step, which belongs to the ended request.
 *
 * @example
 * moveLateEvent(ctx, background, "sql", event);
 */
export function moveLateEvent(
  from: RequestContext,
  to: RequestContext,
  type: EventType,
  event: BaseEvent,
): void {
  const moved: BaseEvent & { endAt?: number; parentId?: number } = { ...event };
  if (type === "step") {
    if (moved.endAt === undefined) return;
    delete moved.parentId;
  }
  const shift = from.startPerf - to.startPerf;
  moved.at = Math.max(0, moved.at + shift);
  if (moved.endAt !== undefined) moved.endAt = Math.max(moved.at, moved.endAt + shift);
  if (from.kind === "request") link(to, from);
  // The copy has the shape of the original, whose type is `type`'s.
  to.emit(type, moved as unknown as GlassboxEvents[typeof type]);
}

function link(to: RequestContext, from: RequestContext): void {
  to.links ??= [];
  if (to.links.length >= MAX_LINKS || to.links.some((l) => l.recordId === from.id)) return;
  to.links.push({ kind: "follows", recordId: from.id, traceId: from.traceId, spanId: from.spanId });
}
