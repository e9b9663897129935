import { median } from "../../../core/median.js";
import type { AlertRule } from "../types.js";

/** A request much slower than its route's recent median: a regression, flagged the moment it happens. */
export const anomalySlow: AlertRule = {
  id: "anomaly.slow",
  description:
    "The request was thresholds.anomalyFactor (default 3) times slower than its route's recent median.",
  check({ ctx, baseline, thresholds }) {
    const ms = ctx.durationMs;
    // Cheap exits first: most requests are too fast to be an anomaly, whatever the median.
    if (ms < thresholds.anomalyMinDeltaMs || baseline.durations.length < thresholds.anomalyMinSamples)
      return undefined;
    const mid = median(baseline.durations);
    if (ms < mid * thresholds.anomalyFactor || ms - mid < thresholds.anomalyMinDeltaMs) return undefined;
    return {
      severity: "warning",
      message: `${baseline.key} took ${ms.toFixed(0)} ms, ${(ms / Math.max(mid, 0.001)).toFixed(1)}× its recent median of ${mid.toFixed(1)} ms.`,
      evidence: {
        route: baseline.key,
        durationMs: Math.round(ms * 10) / 10,
        medianMs: Math.round(mid * 10) / 10,
        samples: baseline.durations.length,
        factor: thresholds.anomalyFactor,
      },
      fix: "Compare this record with an earlier one of the same route (timeline, queries, outgoing calls) to see what changed.",
      docs: "https://nodejs.org/en/learn/diagnostics/poor-performance",
    };
  },
};
