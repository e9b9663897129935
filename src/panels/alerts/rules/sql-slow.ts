import { clip } from "../inspect.js";
import { sqlData } from "../sql-data.js";
import type { AlertRule } from "../types.js";

/** Queries the SQL panel marked slow (stat `sql.slow`). */
export const sqlSlow: AlertRule = {
  id: "sql.slow",
  description: "Queries over the SQL panel's slow threshold (stat sql.slow).",
  check({ stats, panels }) {
    const count = stats["sql.slow"] ?? 0;
    if (count <= 0) return undefined;
    const data = sqlData(panels);
    const slowest = data?.queries
      .filter((q) => data.slow.includes(q.queryId))
      .sort((a, b) => b.durationMs - a.durationMs)[0];
    return {
      severity: "warning",
      message: `${count} slow ${count === 1 ? "query" : "queries"}${slowest ? `; the slowest took ${slowest.durationMs.toFixed(1)} ms` : ""}.`,
      evidence: {
        count,
        thresholdMs: data?.slowThresholdMs ?? null,
        slowestMs: slowest ? Math.round(slowest.durationMs * 10) / 10 : null,
        sql: slowest ? clip(slowest.sql) : null,
      },
      fix: "Run EXPLAIN on it from the SQL panel; add an index for its WHERE/ORDER BY columns or fetch fewer rows.",
      docs: "https://use-the-index-luke.com/",
    };
  },
};
