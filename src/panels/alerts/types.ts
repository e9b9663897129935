import type { RequestContext } from "../../core/context.js";
import type { PanelOutput } from "../../core/panel.js";
import type { Alert, AlertSeverity } from "../../core/record.js";

/** Numbers the built-in rules compare against. Every one can be changed with `alerts.thresholds`. */
export interface AlertThresholds {
  /** A response body larger than this many bytes raises `response.large`. */
  responseBytes: number;
  /** A request slower than this many milliseconds raises `request.slow`. */
  durationMs: number;
  /** Event-loop lag (stat `eventloop.lagMs`) above this many milliseconds raises `eventloop.lag`. */
  eventLoopLagMs: number;
  /** How many times its route's median a request must take (or query) to be an anomaly. */
  anomalyFactor: number;
  /** Samples a route needs before anomalies are judged. */
  anomalyMinSamples: number;
  /** Recent requests kept per route for the median. */
  anomalyWindow: number;
  /** A slow anomaly must also be at least this many milliseconds above the median (ignores jitter). */
  anomalyMinDeltaMs: number;
  /** A query anomaly must also run at least this many more queries than the median. */
  anomalyMinExtraQueries: number;
}

export const DEFAULT_THRESHOLDS: Readonly<AlertThresholds> = Object.freeze({
  responseBytes: 1024 * 1024,
  durationMs: 1000,
  eventLoopLagMs: 100,
  anomalyFactor: 3,
  anomalyMinSamples: 5,
  anomalyWindow: 50,
  anomalyMinDeltaMs: 25,
  anomalyMinExtraQueries: 5,
});

/** A cookie the response sets, as read from a `Set-Cookie` header. The value is never kept. */
export interface SetCookie {
  name: string;
  /** Attribute names in lowercase ("httponly", "secure", "samesite", "path", ...), with their values. */
  attributes: ReadonlyMap<string, string>;
  /** The cookie is being deleted (Max-Age=0 or an Expires in the past): its flags do not matter. */
  deleting: boolean;
}

/** A route's recent history, before the current request, for anomaly rules. */
export interface RouteBaseline {
  /** The key the history is kept under: `METHOD route` (the path when no route matched). */
  key: string;
  /** Wall times in ms of the route's recent requests, oldest first. */
  durations: readonly number[];
  /** Query counts (stat `sql.queries`) of the same requests. */
  queries: readonly number[];
}

/** Everything a rule may read about one finished request. */
export interface RuleInput {
  /** The request's context: request and response snapshots, route, params, error, app info. */
  readonly ctx: RequestContext;
  /** Outputs of the panels that finished before alerts (data, summary, stats), by panel id. */
  readonly panels: ReadonlyMap<string, PanelOutput>;
  /** The earlier panels' stats merged, plus `durationMs`. */
  readonly stats: Readonly<Record<string, number>>;
  readonly thresholds: Readonly<AlertThresholds>;
  /** The route's recent history (this request not included). */
  readonly baseline: RouteBaseline;
  /** A response header as one string (repeated headers joined with ", "), or undefined. */
  responseHeader(name: string): string | undefined;
  /** A request header as one string, or undefined. */
  requestHeader(name: string): string | undefined;
  /** Whether the response is an HTML page (Content-Type text/html or application/xhtml+xml). */
  readonly isHtml: boolean;
  /** Whether the request reached the app over HTTPS (TLS socket, or X-Forwarded-Proto when trusted). */
  readonly isHttps: boolean;
  /** Bytes of the response body: counted when it streamed past, else its Content-Length. */
  readonly responseBytes: number | undefined;
  /** The cookies the response sets, values left out. */
  readonly setCookies: readonly SetCookie[];
}

/** What a rule reports: an alert without its rule id (the engine fills it in). */
export type AlertFinding = Omit<Alert, "rule">;

/**
 * An alert rule: a pure check over a finished request. The engine calls `check` after every
 * other panel has finished; a throw is isolated, warned once and stored as a rule error.
 *
 * @example
 * const noCacheOnApi: AlertRule = {
 *   id: "app.api-cache",
 *   check: ({ ctx, responseHeader }) =>
 *     ctx.request?.path.startsWith("/api/") && !responseHeader("cache-control")
 *       ? { severity: "info", message: "API response without Cache-Control", evidence: { header: "cache-control" } }
 *       : undefined,
 * };
 */
export interface AlertRule {
  /** Stable id, used in `record.alerts[].rule` and in `alerts.disable`. */
  readonly id: string;
  /** One line saying what the rule looks for (shown in the docs and the settings panel). */
  readonly description?: string;
  /** Must be synchronous and do no I/O. Returns nothing, one finding or several. */
  check(input: RuleInput): AlertFinding | readonly AlertFinding[] | undefined | null | false;
}

/** A rule that threw, as stored on the record. */
export interface RuleError {
  rule: string;
  error: string;
}

/** What the alerts panel stores (`record.panels.alerts.data`); the alerts themselves are in `record.alerts`. */
export interface AlertsData {
  /** How many rules ran for this request. */
  rules: number;
  counts: Record<AlertSeverity, number>;
  ruleErrors: RuleError[];
}

/** The `alerts` option. */
export interface AlertsOptions {
  /** Rule ids to skip. */
  disable?: readonly string[];
  thresholds?: Partial<AlertThresholds>;
  /** Your own rules, run after the built-in ones. */
  rules?: readonly AlertRule[];
}
