import type { RequestContext } from "../core/context.js";
import { definePanel } from "../core/panel.js";
import type { TimelineEntry } from "../core/record.js";
import { type ViewNode, type ViewValue, view } from "../core/view.js";
import { watchAppModules } from "../instrument/app-module.js";
import type { CacheEvent } from "../instrument/cache-event.js";
import { instrumentIoredis } from "../instrument/ioredis.js";
import { instrumentRedis } from "../instrument/redis.js";

export interface CacheTotals {
  /** Commands sent. */
  calls: number;
  /** Keys found by read commands (an MGET of 3 keys counts up to 3). */
  hits: number;
  misses: number;
  /** hits / (hits + misses), or null when nothing was read. */
  hitRatio: number | null;
  errors: number;
  /**
   * Wall time with at least one command in flight: overlapping commands (a pipeline,
   * Promise.all) count once, so this never exceeds the request's own time.
   */
  ms: number;
}

export interface CacheData {
  commands: CacheEvent[];
  totals: CacheTotals;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Redis commands (ioredis, node-redis) made during the request: keys, time, hits and misses. */
export const cachePanel = definePanel<undefined, CacheData>({
  id: "cache",
  title: "Cache",
  view: cacheView,
  setup() {
    return watchAppModules([
      { name: "ioredis", instrument: instrumentIoredis },
      // node-redis: `redis` re-exports the client class of `@redis/client`.
      { name: "@redis/client", via: "redis", instrument: instrumentRedis },
    ]);
  },
  serverTiming(ctx) {
    const commands = ctx.events("cache");
    if (commands.length === 0) return undefined;
    return [
      {
        name: "cache",
        durationMs: round(busyMs(commands)),
        description: `${commands.length} cache commands`,
      },
    ];
  },
  finish(ctx) {
    const commands = sortedCommands(ctx);
    if (commands.length === 0 && ctx.kind !== "request") return undefined;
    const totals = totalsOf(commands);
    const timeline: TimelineEntry[] = commands.map((c) => {
      const entry: TimelineEntry = {
        panel: "cache",
        label: `${c.command}${c.key !== undefined ? ` ${c.key.slice(0, 80)}` : ""}${outcomeLabel(c)}`,
        startMs: c.at,
        durationMs: c.durationMs,
      };
      if (c.error) entry.error = true;
      return entry;
    });
    const stats: Record<string, number> = {
      "cache.calls": totals.calls,
      "cache.hits": totals.hits,
      "cache.misses": totals.misses,
      "cache.errors": totals.errors,
      "cache.ms": totals.ms,
    };
    if (totals.hitRatio !== null) stats["cache.hitRatio"] = totals.hitRatio;
    return { data: { commands, totals }, summary: summaryOf(totals), stats, timeline };
  },
});

function sortedCommands(ctx: RequestContext): CacheEvent[] {
  // Events are emitted when replies arrive; show them in the order the app sent them.
  return [...ctx.events("cache")].sort((a, b) => a.at - b.at);
}

/** Totals of a list of commands, as stored in the panel data and stats. */
export function totalsOf(commands: readonly CacheEvent[]): CacheTotals {
  let hits = 0;
  let misses = 0;
  let errors = 0;
  for (const c of commands) {
    hits += c.hits ?? 0;
    misses += c.misses ?? 0;
    if (c.error) errors++;
  }
  const reads = hits + misses;
  return {
    calls: commands.length,
    hits,
    misses,
    hitRatio: reads ? round(hits / reads) : null,
    errors,
    ms: round(busyMs(commands)),
  };
}

/** Length of the union of [at, at + duration] over the commands. */
function busyMs(commands: readonly CacheEvent[]): number {
  const spans = commands.map((c) => [c.at, c.at + c.durationMs] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let start = Number.NEGATIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const [s, e] of spans) {
    if (s > end) {
      if (end > start) total += end - start;
      start = s;
      end = e;
    } else if (e > end) end = e;
  }
  if (end > start) total += end - start;
  return total;
}

function summaryOf(t: CacheTotals): string {
  if (t.calls === 0) return "no commands";
  const parts = [`${t.calls} ${t.calls === 1 ? "command" : "commands"} in ${t.ms.toFixed(1)} ms`];
  if (t.hitRatio !== null) parts.push(`${Math.round(t.hitRatio * 100)}% hits`);
  if (t.errors) parts.push(`${t.errors} ${t.errors === 1 ? "error" : "errors"}`);
  return parts.join(", ");
}

function outcomeLabel(c: CacheEvent): string {
  if (c.error) return " (error)";
  if (c.hits === undefined || c.misses === undefined) return "";
  if (c.hits + c.misses === 1) return c.hits ? " (hit)" : " (miss)";
  return ` (${c.hits}/${c.hits + c.misses} hits)`;
}

function outcomeBadge(c: CacheEvent): ViewValue {
  if (c.error) return view.badge("error", "error");
  if (c.hits === undefined || c.misses === undefined) return "";
  if (c.hits + c.misses === 1) return c.hits ? view.badge("hit", "ok") : view.badge("miss", "warning");
  return view.badge(`${c.hits}/${c.hits + c.misses} hits`, c.misses ? "warning" : "ok");
}

function cacheView(data: CacheData): ViewNode[] {
  const t = data.totals;
  if (data.commands.length === 0) return [view.text("No cache commands during this request.", "muted")];
  return [
    view.kv([
      ["Commands", t.calls],
      ["Time", `${t.ms.toFixed(1)} ms`],
      ["Hits", t.hits],
      ["Misses", t.misses],
      ["Hit ratio", t.hitRatio === null ? "no reads" : `${Math.round(t.hitRatio * 100)} %`],
      ["Errors", t.errors],
    ]),
    view.table(
      ["Start", "Command", "Arguments", "Result", "Time", "Batch", "Where"],
      data.commands.map((c) => [
        `+${c.at.toFixed(1)} ms`,
        {
          type: "list",
          items: [view.text(c.command), ...(outcomeBadge(c) ? [outcomeBadge(c) as ViewNode] : [])],
        },
        c.args.join(" "),
        c.error ? view.text(c.error, "error") : (c.result ?? ""),
        `${c.durationMs.toFixed(2)} ms`,
        c.batch ? `${c.batch.kind} #${c.batch.id}` : "",
        c.callSite?.frame ? { type: "stack", frames: [c.callSite.frame] } : "",
      ]),
      data.commands.some((c) => c.truncated) ? "Long values are cut to cache.maxValueBytes." : undefined,
    ),
  ];
}
