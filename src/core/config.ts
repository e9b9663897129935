import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ExplainConnection } from "../explain/connection.js";
import type { AlertRule } from "../panels/alerts/types.js";
import type { Store } from "../store/store.js";
import { describeIssues } from "./config-issues.js";
import { GlassboxError, type Logger } from "./errors.js";
import type { Panel } from "./panel.js";

/** Who may see glassbox: a list of client IPs, or a function of the client IP and Host. */
export type AllowRule =
  | readonly string[]
  | ((client: { ip: string | undefined; host: string | undefined }) => boolean);

const isFunction = (v: unknown): v is (...args: never[]) => unknown => typeof v === "function";
const isStore = (v: unknown): v is Store =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as Store).add === "function" &&
  typeof (v as Store).list === "function";
const isPanel = (v: unknown): v is Panel =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as Panel).id === "string" &&
  typeof (v as Panel).finish === "function";

const storeOptions = z.strictObject({
  /** SQLite file, ":memory:", or false for the in-memory ring only. */
  path: z.union([z.string().min(1), z.literal(false)]).default(".glassbox/glassbox.db"),
  /** Records kept in memory for the hot path (and the whole history when path is false). */
  ringSize: z.int().min(1).default(1000),
  /** Records kept in the persistent store; older ones are pruned. */
  maxRecords: z.int().min(1).default(10_000),
  /** Records older than this many milliseconds are pruned (default 7 days). */
  maxAgeMs: z
    .int()
    .min(1)
    .default(7 * 24 * 3600 * 1000),
  /** Records waiting to be written; past it the oldest waiting record is dropped and counted. */
  queueLimit: z.int().min(1).default(5000),
  /** How often queued records are written, in milliseconds. */
  flushIntervalMs: z.int().min(1).default(250),
});

const overheadOptions = z.strictObject({
  /** Share of the app's main-thread time glassbox may spend recording, over time (0.02 = 2 %). */
  budget: z.number().gt(0).max(1).default(0.02),
  /** Milliseconds of recording work glassbox may spend at once after a quiet spell. */
  burstMs: z.number().min(1).default(1000),
  /**
   * Requests per second under which the app counts as quiet: the allowance refills every second,
   * so at a person's pace every request is recorded. 0: the budget always applies.
   */
  quietRate: z.number().min(0).default(100),
});

const redactOptions = z.strictObject({
  /** Header names whose values are always masked (case-insensitive). Added to the built-in list. */
  headers: z.array(z.string()).default([]),
  /** Keys (headers, cookies, query, JSON bodies, settings, SQL params) whose values are masked. */
  keys: z
    .instanceof(RegExp)
    .default(
      /password|passwd|secret|token|api[-_]?key|session|authorization|cookie|credential|private[-_]?key/i,
    ),
  replacement: z.string().default("[redacted]"),
});

const limitOptions = z.strictObject({
  /** Bytes of a request or response body kept as a preview; the rest is marked truncated. */
  bodyPreviewBytes: z
    .int()
    .min(0)
    .default(16 * 1024),
  /** Events of one type (log lines, queries, ...) kept per request; the rest are counted as dropped. */
  eventsPerType: z.int().min(1).default(1000),
  /** Stack frames kept for a call site. */
  stackDepth: z.int().min(1).max(100).default(10),
  /** Largest HTML body glassbox buffers to inject the toolbar into; larger pages pass through untouched. */
  injectMaxBytes: z
    .int()
    .min(0)
    .default(4 * 1024 * 1024),
});

const sqlOptions = z.strictObject({
  /** A query slower than this many milliseconds is listed as slow. */
  slowMs: z.number().min(0).default(100),
  /** A similar query run this many times from one call site in one request is flagged N+1. */
  nPlusOneThreshold: z.int().min(2).default(5),
  /** Characters of SQL text kept per query; longer text is cut and marked truncated. */
  maxSqlLength: z.int().min(100).default(10_000),
  /** Record bound parameters (secret-looking ones are always masked). */
  captureParams: z.boolean().default(true),
});

const cacheOptions = z.strictObject({
  /** Bytes of a cache value or reply kept per argument; longer ones are cut and marked. */
  maxValueBytes: z.int().min(16).default(256),
});

const templatesOptions = z.strictObject({
  /** Bytes of each template context value kept as a preview; longer ones are cut and marked. */
  maxValueBytes: z.int().min(16).default(256),
});

const eventsOptions = z.strictObject({
  /** Bytes of the data of one `event()` or emitter event kept (as JSON); larger data is cut and marked. */
  maxDataBytes: z.int().min(16).default(1024),
});

const isObject = (v: unknown): v is object => typeof v === "object" && v !== null;
/** Held opaque so the settings panel never shows the credentials in it. */
const connection = (what: string) =>
  z
    .custom<object>(isObject, what)
    .transform((v) => (v instanceof ExplainConnection ? v : new ExplainConnection(v)));

const explainOptions = z.strictObject({
  /** A pg config (`{ connectionString }`, `{ host, user, ... }`) or a pg.Pool; not the app's connection. */
  postgres: connection("a pg connection config or a pg.Pool").optional(),
  /** A mysql2 connection config (`{ uri }`, `{ host, user, ... }`) or a mysql2/promise pool. */
  mysql: connection("a mysql2 connection config or a mysql2/promise pool").optional(),
  /** `{ path }` of the SQLite file (opened read-only), or a better-sqlite3 Database. */
  sqlite: connection("{ path } or a better-sqlite3 Database").optional(),
  /** A plan that takes longer than this many milliseconds is cancelled. */
  statementTimeoutMs: z.int().min(1).max(600_000).default(2000),
  /** Allow EXPLAIN ANALYZE, BUFFERS on PostgreSQL (runs the query, then rolls back). */
  analyze: z.boolean().default(false),
  /** A full scan of a table with at least this many rows gets a hint. */
  scanRowsThreshold: z.int().min(0).default(1000),
});

const isAlertRule = (v: unknown): v is AlertRule =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as AlertRule).id === "string" &&
  (v as AlertRule).id !== "" &&
  typeof (v as AlertRule).check === "function";

const alertOptions = z.strictObject({
  /** Rule ids to skip ("headers.csp-missing", ...). */
  disable: z.array(z.string()).default([]),
  /** Numbers the built-in rules compare against; see docs/alerts.md for defaults. */
  thresholds: z
    .strictObject({
      responseBytes: z.int().min(1).optional(),
      durationMs: z.number().min(0).optional(),
      eventLoopLagMs: z.number().min(0).optional(),
      anomalyFactor: z.number().min(1).optional(),
      anomalyMinSamples: z.int().min(1).optional(),
      anomalyWindow: z.int().min(1).max(1000).optional(),
      anomalyMinDeltaMs: z.number().min(0).optional(),
      anomalyMinExtraQueries: z.int().min(0).optional(),
    })
    .default({}),
  /** Your own rules, with the built-in rules' interface. */
  rules: z
    .array(z.custom<AlertRule>(isAlertRule, "an alert rule with a non-empty id and check()"))
    .default([]),
});

/** An OpenAPI 3.x document: a .json/.yaml path, the parsed object, or a function returning it. */
export type OpenApiSource = string | Record<string, unknown> | (() => unknown);

export const configSchema = z.strictObject({
  /** false: glassbox installs nothing and costs nothing. */
  enabled: z.boolean().default(true),
  /** glassbox refuses to start under NODE_ENV=production unless this is true. */
  allowInProduction: z.boolean().default(false),
  /** Where the dashboard, toolbar script and JSON API are served. */
  prefix: z
    .string()
    .regex(/^\/[A-Za-z0-9._~\-/]*[A-Za-z0-9._~-]$/, "a path like /__glassbox (starts with /, no trailing /)")
    .default("/__glassbox"),
  /** Name on every record, so several apps can share one store. Default: package.json name. */
  service: z.string().min(1).optional(),
  /** Extra client IPs (or a function) allowed to see glassbox besides loopback. */
  allow: z
    .union([z.array(z.string()), z.custom<AllowRule>(isFunction, "a function")], {
      error: "expected an array of IP addresses or a function ({ ip, host }) => boolean",
    })
    .optional(),
  /** Host names glassbox answers to besides localhost, 127.0.0.1 and [::1] (DNS-rebinding guard). */
  hosts: z.array(z.string()).default([]),
  /** node:http adapter only (frameworks use their own setting): trust X-Forwarded-For. */
  trustProxy: z.boolean().default(false),
  /** Inject the toolbar script into HTML pages. */
  toolbar: z.boolean().default(true),
  /** Send a Server-Timing header with glassbox's measurements. */
  serverTiming: z.boolean().default(true),
  /**
   * How much of the app's time glassbox may take. Under a load test it records an even sample
   * within the budget and counts the requests it skipped; false records every request.
   */
  overhead: z
    .union([overheadOptions, z.literal(false)], {
      error: "expected { budget, burstMs } or false (record every request)",
    })
    .default(() => overheadOptions.parse({})),
  store: z
    .union([storeOptions, z.custom<Store>(isStore, "a Store instance")], {
      error: "expected store options ({ path, ringSize, ... }) or a Store instance",
    })
    .default(() => storeOptions.parse({})),
  redact: redactOptions.default(() => redactOptions.parse({})),
  limits: limitOptions.default(() => limitOptions.parse({})),
  /** SQL panel: slow and N+1 thresholds, SQL text and parameter capture. */
  sql: sqlOptions.default(() => sqlOptions.parse({})),
  /** EXPLAIN of recorded SQL queries: connections glassbox may use, timeout, ANALYZE opt-in. */
  explain: explainOptions.default(() => explainOptions.parse({})),
  /** Cache panel: how much of each value and reply is kept. */
  cache: cacheOptions.default(() => cacheOptions.parse({})),
  /** Templates panel: how much of each context value is kept. */
  templates: templatesOptions.default(() => templatesOptions.parse({})),
  /** Events panel: how much of each user or emitter event's data is kept. */
  events: eventsOptions.default(() => eventsOptions.parse({})),
  /** Alerts panel: rules to disable, thresholds, your own rules. */
  alerts: alertOptions.default(() => alertOptions.parse({})),
  /** An OpenAPI 3.x document to match and validate requests against (path, object or function). */
  openapi: z
    .union(
      [
        z.string().min(1),
        z.custom<() => unknown>(isFunction, "a function"),
        z.record(z.string(), z.unknown()),
      ],
      { error: "a path to a .json/.yaml file, the document object, or a function returning it" },
    )
    .optional(),
  /** Extra panels, added after the built-in ones. */
  panels: z.array(z.custom<Panel>(isPanel, "a panel object with id and finish()")).default([]),
  /** Ids of built-in panels to leave out. */
  disablePanels: z.array(z.string()).default([]),
  /** App settings shown (redacted) in the settings panel. */
  settings: z.record(z.string(), z.unknown()).default({}),
  /** The package.json whose dependencies the versions panel lists. */
  packageJson: z.string().optional(),
  /** Where glassbox writes its own warnings. */
  logger: z
    .custom<Logger>(
      (v) => typeof v === "object" && v !== null && isFunction((v as Logger).warn),
      "an object with warn()",
    )
    .optional(),
  /** Record requests whose path starts with one of these (string prefix or RegExp) as ignored. */
  ignore: z.array(z.union([z.string(), z.instanceof(RegExp)])).default([]),
});

/** Options a user passes to glassbox(): every key is optional. */
export type GlassboxOptions = z.input<typeof configSchema>;
/** Options after defaults and validation. */
export type GlassboxConfig = z.output<typeof configSchema> & { service: string };
export type StoreOptions = z.output<typeof storeOptions>;

/**
 * Validates options and fills defaults. A bad option throws GBX_ERR_CONFIG naming every bad key
 * and what it expects, e.g. `store.ringSize: expected int, received string`.
 */
export function resolveConfig(options: GlassboxOptions = {}, cwd: string = process.cwd()): GlassboxConfig {
  const parsed = configSchema.safeParse(options);
  if (!parsed.success) {
    const problems = describeIssues(configSchema, parsed.error.issues);
    throw new GlassboxError("GBX_ERR_CONFIG", `Invalid glassbox options: ${problems.join("; ")}`);
  }
  const config = parsed.data;
  return {
    ...config,
    service: config.service ?? readPackageName(config.packageJson ?? join(cwd, "package.json")),
  };
}

function readPackageName(path: string): string {
  try {
    const pkg = JSON.parse(readFileSync(path, "utf8")) as { name?: unknown };
    return typeof pkg.name === "string" && pkg.name ? pkg.name : "app";
  } catch {
    return "app";
  }
}
