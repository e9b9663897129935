import { formatFrame } from "../../../core/callsite.js";
import { clip } from "../inspect.js";
import { sqlData } from "../sql-data.js";
import type { AlertRule } from "../types.js";

/** Identical queries (same SQL, same parameters) run more than once (stat `sql.duplicates`). */
export const sqlDuplicates: AlertRule = {
  id: "sql.duplicates",
  description: "The same query with the same parameters ran more than once (stat sql.duplicates).",
  check({ stats, panels }) {
    const count = stats["sql.duplicates"] ?? 0;
    if (count <= 0) return undefined;
    const worst = [...(sqlData(panels)?.duplicates ?? [])].sort((a, b) => b.count - a.count)[0];
    return {
      severity: "info",
      message: worst
        ? `A query ran ${worst.count} times with the same parameters.`
        : `Queries ran more than once with the same parameters (sql.duplicates: ${count}).`,
      evidence: {
        duplicates: count,
        sql: worst ? clip(worst.normalized) : null,
        times: worst?.count ?? null,
        callSite: worst?.callSite ? formatFrame(worst.callSite) : null,
      },
      fix: "Run it once and reuse the result (pass it down, or memoize per request, e.g. a DataLoader).",
      docs: "https://github.com/graphql/dataloader#caching",
    };
  },
};
