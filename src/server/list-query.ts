import { z } from "zod";
import { parseQueryLanguage, QueryLanguageError } from "../store/query-language.js";
import type { Condition, RecordQuery, SortField } from "../store/store.js";

const SORT_FIELDS = ["startedAt", "durationMs", "status", "method", "path", "route", "alerts"] as const;

const listParams = z.strictObject({
  limit: z.coerce.number().int().min(0).max(1000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  method: z.string().max(20).optional(),
  status: z
    .string()
    .regex(/^([1-5]\d\d|[1-5]xx)$/i, "a status like 404 or a class like 5xx")
    .optional(),
  path: z.string().max(2000).optional(),
  route: z.string().max(2000).optional(),
  service: z.string().max(200).optional(),
  kind: z.enum(["request", "background", "job", "websocket", "span"]).optional(),
  minDurationMs: z.coerce.number().min(0).optional(),
  hasAlerts: z.enum(["true", "false", "1", "0"]).optional(),
  sort: z.enum(SORT_FIELDS).optional(),
  dir: z.enum(["asc", "desc"]).optional(),
  q: z.string().max(2000).optional(),
});

export class BadRequest extends Error {}

/** The conventional cache-busting parameter (`_=1700000000000`) that HTTP clients append. */
const CACHE_BUSTER = "_";

/**
 * Validates an endpoint's query string against its schema; a bad or unknown parameter throws
 * BadRequest naming it (and, for an unknown one, the known names). A cache-busting `_` is ignored.
 *
 * @example
 * const { minutes } = parseParams(z.strictObject({ minutes: z.coerce.number().optional() }), url.searchParams);
 */
export function parseParams<S extends z.ZodObject>(schema: S, params: URLSearchParams): z.output<S> {
  const raw: Record<string, string> = {};
  for (const [k, v] of params) if (k !== CACHE_BUSTER) raw[k] = v;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new BadRequest(
    parsed.error.issues
      .flatMap((i) =>
        i.code === "unrecognized_keys"
          ? i.keys.map((k) => `${k}: unknown parameter (known: ${Object.keys(schema.shape).join(", ")})`)
          : [`${i.path.join(".") || "query"}: ${i.message}`],
      )
      .join("; "),
  );
}

/** Turns the list endpoint's query string into a RecordQuery; a bad parameter says which and why. */
export function parseListQuery(params: URLSearchParams): RecordQuery {
  const p = parseParams(listParams, params);
  const where: Condition[] = [];
  if (p.method) where.push({ field: "method", op: "=", value: p.method.toUpperCase() });
  if (p.status) {
    if (/xx$/i.test(p.status)) {
      const base = Number(p.status[0]) * 100;
      where.push({ field: "status", op: ">=", value: base }, { field: "status", op: "<", value: base + 100 });
    } else where.push({ field: "status", op: "=", value: Number(p.status) });
  }
  if (p.path) where.push({ field: "path", op: "contains", value: p.path });
  if (p.route) where.push({ field: "route", op: p.route.includes("*") ? "glob" : "=", value: p.route });
  if (p.service) where.push({ field: "service", op: "=", value: p.service });
  if (p.minDurationMs !== undefined) where.push({ field: "durationMs", op: ">=", value: p.minDurationMs });
  if (p.hasAlerts === "true" || p.hasAlerts === "1") where.push({ field: "alerts", op: ">", value: 0 });
  if (p.hasAlerts === "false" || p.hasAlerts === "0") where.push({ field: "alerts", op: "=", value: 0 });
  if (p.q) {
    try {
      where.push(...parseQueryLanguage(p.q));
    } catch (error) {
      if (error instanceof QueryLanguageError) throw new BadRequest(`q: ${error.message}`);
      throw error;
    }
  }
  const query: RecordQuery = { where, kind: p.kind ?? "request" };
  if (p.limit !== undefined) query.limit = p.limit;
  if (p.offset !== undefined) query.offset = p.offset;
  if (p.sort) query.sort = { field: p.sort as SortField, dir: p.dir ?? "desc" };
  return query;
}
