import type { StepEvent, StepKind } from "../../instrument/events/step.js";

/** One row of the Events tree: a step with its depth and times, ready to store and show. */
export interface EventNode {
  id: number;
  parentId?: number;
  /** 0 for top-level steps; children of a router, a route or a Koa middleware are one deeper. */
  depth: number;
  kind: StepKind;
  name: string;
  path?: string;
  /** Milliseconds from the record's start. */
  startMs: number;
  /** Whole time of the step (for Koa, its children included); 0 for point events. */
  durationMs: number;
  /** The step's own time: its duration minus the time its children ran inside it. */
  selfMs: number;
  /** Koa and Hono: time before the step called next(). */
  downstreamMs?: number;
  /** Koa: time after next() settled. */
  upstreamMs?: number;
  /** The response was ended while this step was the innermost one running. */
  endedResponse?: boolean;
  error?: boolean;
  /** Point events: their data, masked and bounded. */
  data?: unknown;
  truncated?: boolean;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The steps of one record as a tree in display order (each node followed by its children, by
 * start time). Steps still running at `endMs` end there. When `answeredBy` is asked for, the
 * innermost step still running that watched the response gets the credit for ending it.
 *
 * @example
 * buildTree(ctx.events("step"), ctx.durationMs, { creditOpenStep: true });
 */
export function buildTree(
  steps: readonly StepEvent[],
  endMs: number,
  options: { creditOpenStep?: boolean } = {},
): EventNode[] {
  const ids = new Set(steps.map((s) => s.id));
  const children = new Map<number | undefined, StepEvent[]>();
  for (const step of steps) {
    const parent = step.parentId !== undefined && ids.has(step.parentId) ? step.parentId : undefined;
    const list = children.get(parent);
    if (list) list.push(step);
    else children.set(parent, [step]);
  }
  for (const list of children.values()) list.sort((a, b) => a.at - b.at || a.id - b.id);

  const nodes: EventNode[] = [];
  const visit = (step: StepEvent, depth: number): void => {
    const end = Math.max(step.at, step.endAt ?? endMs);
    const node: EventNode = {
      id: step.id,
      depth,
      kind: step.kind,
      name: step.name,
      startMs: round(step.at),
      durationMs: round(end - step.at),
      selfMs: 0,
    };
    if (step.parentId !== undefined && ids.has(step.parentId)) node.parentId = step.parentId;
    if (step.path) node.path = step.path;
    if (step.endedResponse) node.endedResponse = true;
    if (step.error) node.error = true;
    if (step.data !== undefined) node.data = step.data;
    if (step.truncated) node.truncated = true;
    const kids = children.get(step.id) ?? [];
    if (step.nextAt !== undefined) node.downstreamMs = round(step.nextAt - step.at);
    if (step.nextAt !== undefined && step.resumeAt !== undefined) {
      node.upstreamMs = round(Math.max(0, end - step.resumeAt));
      node.selfMs = round(node.downstreamMs! + node.upstreamMs);
    } else {
      node.selfMs = round(Math.max(0, end - step.at - overlap(kids, step.at, end, endMs)));
    }
    nodes.push(node);
    if (depth < 64) for (const kid of kids) visit(kid, depth + 1);
  };
  for (const root of children.get(undefined) ?? []) visit(root, 0);

  if (options.creditOpenStep && !nodes.some((n) => n.endedResponse)) creditOpenStep(steps, nodes);
  return nodes;
}

/** Time the children ran inside [from, to], without counting overlapping children twice. */
function overlap(kids: readonly StepEvent[], from: number, to: number, endMs: number): number {
  let total = 0;
  let reached = from;
  for (const kid of kids) {
    const start = Math.max(kid.at, reached);
    const end = Math.min(kid.endAt ?? endMs, to);
    if (end > start) {
      total += end - start;
      reached = end;
    }
  }
  return total;
}

/**
 * The response ended, and no step took the credit when it ended: the innermost step still
 * running that watched the response (an Express layer that never called next) answered.
 */
function creditOpenStep(steps: readonly StepEvent[], nodes: EventNode[]): void {
  let best: { step: StepEvent; depth: number } | undefined;
  const depthOf = new Map(nodes.map((n) => [n.id, n.depth]));
  for (const step of steps) {
    if (step.endAt !== undefined || step.endedBefore !== false) continue;
    const depth = depthOf.get(step.id) ?? 0;
    if (!best || depth > best.depth || (depth === best.depth && step.at >= best.step.at))
      best = { step, depth };
  }
  if (!best) return;
  const node = nodes.find((n) => n.id === best.step.id);
  if (node) node.endedResponse = true;
}
