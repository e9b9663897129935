import type { Condition, ConditionField, ConditionOp } from "./store.js";

/**
 * The one-line filter syntax shared by the dashboard, the JSON API (`?q=`), MCP and the CLI:
 *
 *   status:>=500 route:/api/* duration:>200ms sql.queries:>10 service:orders method:POST alerts:>0
 *
 * Terms are ANDed. A bare word matches the path. Durations take ms or s; status takes 5xx.
 */

export class QueryLanguageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueryLanguageError";
  }
}

const ALIASES: Record<string, ConditionField> = {
  status: "status",
  method: "method",
  path: "path",
  url: "path",
  route: "route",
  duration: "durationMs",
  durationms: "durationMs",
  time: "durationMs",
  service: "service",
  kind: "kind",
  alerts: "alerts",
  trace: "traceId",
  traceid: "traceId",
};

const NUMERIC = new Set<ConditionField>(["status", "durationMs", "alerts", "startedAt"]);
const OP = /^(>=|<=|!=|>|<|=)?(.*)$/s;

/** Splits on spaces, keeping "quoted phrases" together. */
function tokens(input: string): string[] {
  const out: string[] = [];
  const re = /(?:[^\s"]+|"[^"]*")+/g;
  for (const m of input.matchAll(re)) out.push(m[0].replace(/"/g, ""));
  return out;
}

function parseNumber(field: ConditionField, raw: string, term: string): number {
  let text = raw.trim().toLowerCase();
  let scale = 1;
  if (field === "durationMs") {
    if (text.endsWith("ms")) text = text.slice(0, -2);
    else if (text.endsWith("s")) {
      text = text.slice(0, -1);
      scale = 1000;
    }
  }
  const n = Number(text);
  if (text === "" || !Number.isFinite(n))
    throw new QueryLanguageError(
      `"${term}": expected a number${field === "durationMs" ? " (like 200ms or 1.5s)" : ""}`,
    );
  return n * scale;
}

export function parseQueryLanguage(input: string): Condition[] {
  const conditions: Condition[] = [];
  for (const term of tokens(input.trim())) {
    const colon = term.indexOf(":");
    if (colon <= 0) {
      conditions.push({ field: "path", op: "contains", value: term });
      continue;
    }
    const key = term.slice(0, colon).toLowerCase();
    const rest = term.slice(colon + 1);
    const field: ConditionField | undefined =
      ALIASES[key] ?? (/^[a-z][\w-]*\.[\w.-]+$/i.test(key) ? `stats.${term.slice(0, colon)}` : undefined);
    if (!field)
      throw new QueryLanguageError(
        `"${term}": unknown field "${key}" (try status, method, path, route, duration, service, alerts, or a stat like sql.queries)`,
      );
    const m = OP.exec(rest)!;
    const op = (m[1] ?? "=") as ConditionOp;
    const raw = m[2] ?? "";
    if (raw === "") throw new QueryLanguageError(`"${term}": missing a value after "${key}:"`);
    if (field === "status" && /^[1-5]xx$/i.test(raw) && op === "=") {
      const base = Number(raw[0]) * 100;
      conditions.push({ field, op: ">=", value: base }, { field, op: "<", value: base + 100 });
      continue;
    }
    if (NUMERIC.has(field) || field.startsWith("stats.")) {
      conditions.push({ field, op, value: parseNumber(field, raw, term) });
    } else if (raw.includes("*")) {
      conditions.push({ field, op: "glob", value: raw });
    } else {
      conditions.push({ field, op: field === "path" && op === "=" ? "contains" : op, value: raw });
    }
  }
  return conditions;
}
