import { formatFrame } from "../../../core/callsite.js";
import { clip } from "../inspect.js";
import { sqlData } from "../sql-data.js";
import type { AlertFinding, AlertRule } from "../types.js";

/** N+1 groups found by the SQL panel (stat `sql.nplusone`): one finding per group. */
export const sqlNPlusOne: AlertRule = {
  id: "sql.nplusone",
  description: "The same query ran once per row of an earlier result (stat sql.nplusone).",
  check({ stats, panels }) {
    const count = stats["sql.nplusone"] ?? 0;
    if (count <= 0) return undefined;
    const groups = sqlData(panels)?.nplusone ?? [];
    if (groups.length === 0)
      return {
        severity: "warning",
        message: `${count} N+1 query ${count === 1 ? "group" : "groups"}.`,
        evidence: { groups: count },
        fix: "Load the related rows in one query (WHERE id IN (...) / = ANY($1)), a JOIN, or eager loading.",
        docs: "https://use-the-index-luke.com/sql/join/nested-loops-join-n1-problem",
      };
    return groups.slice(0, 10).map(
      (group): AlertFinding => ({
        severity: "warning",
        message: `N+1: the same query ran ${group.count} times with different parameters (${group.totalMs.toFixed(1)} ms in all).`,
        evidence: {
          sql: clip(group.normalized),
          count: group.count,
          totalMs: Math.round(group.totalMs * 10) / 10,
          callSite: group.callSite ? formatFrame(group.callSite) : null,
        },
        fix:
          group.suggestion ||
          "Load the related rows in one query (WHERE id IN (...) / = ANY($1)), a JOIN, or eager loading.",
        docs: "https://use-the-index-luke.com/sql/join/nested-loops-join-n1-problem",
      }),
    );
  },
};
