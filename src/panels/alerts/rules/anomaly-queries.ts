import { median } from "../../../core/median.js";
import type { AlertRule } from "../types.js";

/** A request running many more queries than its route's recent median (often a new N+1). */
export const anomalyQueries: AlertRule = {
  id: "anomaly.queries",
  description:
    "The request ran thresholds.anomalyFactor (default 3) times more queries than its route's recent median.",
  check({ stats, baseline, thresholds }) {
    const queries = stats["sql.queries"];
    if (
      queries === undefined ||
      queries < thresholds.anomalyMinExtraQueries ||
      baseline.queries.length < thresholds.anomalyMinSamples
    )
      return undefined;
    const mid = median(baseline.queries);
    if (queries < mid * thresholds.anomalyFactor || queries - mid < thresholds.anomalyMinExtraQueries)
      return undefined;
    return {
      severity: "warning",
      message: `${baseline.key} ran ${queries} queries; its recent median is ${mid}.`,
      evidence: {
        route: baseline.key,
        queries,
        medianQueries: mid,
        samples: baseline.queries.length,
        factor: thresholds.anomalyFactor,
      },
      fix: "Look for a loop that queries per item (the SQL panel groups them) and batch it.",
      docs: "https://use-the-index-luke.com/sql/join/nested-loops-join-n1-problem",
    };
  },
};
