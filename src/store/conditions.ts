import type { RecordSummary } from "../core/record.js";
import type { Condition, ConditionField, RecordQuery, SortField } from "./store.js";

/** Reads a condition's field from a summary: the in-memory evaluation of a query. */
export function fieldValue(
  record: RecordSummary,
  field: ConditionField | SortField,
): string | number | undefined {
  switch (field) {
    case "alerts":
      return record.alertCount;
    case "method":
    case "path":
    case "route":
    case "status":
    case "durationMs":
    case "service":
    case "kind":
    case "startedAt":
    case "traceId":
      return record[field];
    default:
      return record.stats[field.slice("stats.".length)] ?? 0;
  }
}

/** `/api/*` matches `/api/users/:id`; `*` is any run of characters. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "i");
}

export function matches(record: RecordSummary, condition: Condition): boolean {
  const actual = fieldValue(record, condition.field);
  const { op, value } = condition;
  if (op === "contains")
    return typeof actual === "string" && actual.toLowerCase().includes(String(value).toLowerCase());
  if (op === "glob") return typeof actual === "string" && globToRegExp(String(value)).test(actual);
  if (actual === undefined) return op === "!=";
  const a = typeof value === "number" ? Number(actual) : String(actual).toLowerCase();
  const b = typeof value === "number" ? value : String(value).toLowerCase();
  switch (op) {
    case "=":
      return a === b;
    case "!=":
      return a !== b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
  }
}

export function matchesQuery(record: RecordSummary, query: RecordQuery): boolean {
  if (query.kind && record.kind !== query.kind) return false;
  return (query.where ?? []).every((c) => matches(record, c));
}

export function compareBy(
  field: SortField,
  dir: "asc" | "desc",
): (a: RecordSummary, b: RecordSummary) => number {
  const sign = dir === "asc" ? 1 : -1;
  return (a, b) => {
    const x = fieldValue(a, field) ?? "";
    const y = fieldValue(b, field) ?? "";
    return (x < y ? -1 : x > y ? 1 : 0) * sign;
  };
}
