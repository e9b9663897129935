import type { AlertRule } from "../types.js";

/** A request over `thresholds.durationMs` of wall time. */
export const requestSlow: AlertRule = {
  id: "request.slow",
  description: "The request took longer than thresholds.durationMs (default 1000 ms).",
  check({ ctx, stats, thresholds }) {
    const ms = ctx.durationMs;
    if (ms <= thresholds.durationMs) return undefined;
    return {
      severity: "warning",
      message: `The request took ${ms.toFixed(0)} ms, over the ${thresholds.durationMs} ms threshold.`,
      evidence: {
        durationMs: Math.round(ms),
        threshold: thresholds.durationMs,
        sqlMs: stats["sql.ms"] ?? null,
        sqlQueries: stats["sql.queries"] ?? null,
      },
      fix: "Open the timeline to see where the time went (queries, outgoing HTTP, blocking work).",
      docs: "https://nodejs.org/en/learn/diagnostics/poor-performance",
    };
  },
};
