import { definePanel } from "../../core/panel.js";
import type { TimelineEntry } from "../../core/record.js";
import type { SqlEvent } from "../../instrument/sql-event.js";
import { analyzeQueries } from "./analysis.js";
import type { SqlPanelData } from "./types.js";
import { sqlView } from "./view.js";

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Every SQL statement the request ran (pg, mysql2, better-sqlite3), with duplicates, similar
 * queries, N+1 groups and slow queries. Drivers are instrumented by `glassbox/register` or
 * `instrumentPg`/`instrumentMysql2`/`instrumentBetterSqlite3`; the panel only reads their events.
 */
export const sqlPanel = definePanel<undefined, SqlPanelData>({
  id: "sql",
  title: "SQL",
  view: sqlView,
  serverTiming(ctx) {
    const queries = ctx.events("sql");
    if (queries.length === 0) return undefined;
    return [{ name: "sql", durationMs: round(total(queries)), description: `${queries.length} queries` }];
  },
  finish(ctx) {
    const events = ctx.events("sql");
    if (events.length === 0 && ctx.kind !== "request") return undefined;
    const options = ctx.owner.config.sql;
    const queries = [...events].sort((a, b) => a.at - b.at);
    const analysis = analyzeQueries(queries, options);
    const totalMs = round(total(queries));
    const data: SqlPanelData = {
      queries,
      totalMs,
      duplicates: analysis.duplicates,
      similar: analysis.similar,
      nplusone: analysis.nplusone,
      slow: analysis.slow,
      slowThresholdMs: options.slowMs,
    };
    const timeline: TimelineEntry[] = queries.map((q) => ({
      panel: "sql",
      label: q.sql.replace(/\s+/g, " ").slice(0, 80),
      startMs: q.at,
      durationMs: q.durationMs,
      ...(q.error ? { error: true } : {}),
    }));
    // N+1 groups become alerts through the alerts panel's sql.nplusone rule (one per group).
    const errors = queries.filter((q) => q.error).length;
    return {
      data,
      summary: summarize(queries.length, totalMs, analysis.nplusone.length, errors),
      stats: {
        "sql.queries": queries.length,
        "sql.ms": totalMs,
        "sql.duplicates": analysis.duplicateCount,
        "sql.similar": analysis.similarCount,
        "sql.nplusone": analysis.nplusone.length,
        "sql.slow": analysis.slow.length,
        "sql.errors": errors,
      },
      timeline,
    };
  },
});

function total(queries: readonly SqlEvent[]): number {
  let sum = 0;
  for (const q of queries) sum += q.durationMs;
  return sum;
}

function summarize(count: number, ms: number, nplusone: number, errors: number): string {
  if (count === 0) return "no queries";
  let s = `${count} ${count === 1 ? "query" : "queries"} in ${ms.toFixed(1)} ms`;
  if (nplusone) s += `, ${nplusone} N+1`;
  if (errors) s += `, ${errors} failed`;
  return s;
}
