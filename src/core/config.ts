import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Store } from "../store/store.js";
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
  allow: z.union([z.array(z.string()), z.custom<AllowRule>(isFunction, "a function")]).optional(),
  /** Host names glassbox answers to besides localhost, 127.0.0.1 and [::1] (DNS-rebinding guard). */
  hosts: z.array(z.string()).default([]),
  /** node:http adapter only (frameworks use their own setting): trust X-Forwarded-For. */
  trustProxy: z.boolean().default(false),
  /** Inject the toolbar script into HTML pages. */
  toolbar: z.boolean().default(true),
  /** Send a Server-Timing header with glassbox's measurements. */
  serverTiming: z.boolean().default(true),
  store: z
    .union([storeOptions, z.custom<Store>(isStore, "a Store instance")])
    .default(() => storeOptions.parse({})),
  redact: redactOptions.default(() => redactOptions.parse({})),
  limits: limitOptions.default(() => limitOptions.parse({})),
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
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.length ? issue.path.join(".") : "(options)";
      return `${key}: ${issue.message}`;
    });
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
