import type { RequestContext } from "../../core/context.js";
import { GlassboxError } from "../../core/errors.js";
import type { PanelOutput } from "../../core/panel.js";
import type { Alert, AlertSeverity } from "../../core/record.js";
import { headerValue, headerValues, isHtmlType, parseSetCookie } from "./inspect.js";
import { RouteHistory } from "./route-history.js";
import { BUILTIN_RULES } from "./rules/index.js";
import {
  type AlertFinding,
  type AlertRule,
  type AlertsOptions,
  type AlertThresholds,
  DEFAULT_THRESHOLDS,
  type RuleError,
  type RuleInput,
  type SetCookie,
} from "./types.js";

const SEVERITIES: ReadonlySet<string> = new Set<AlertSeverity>(["info", "warning", "error"]);
const MAX_FINDINGS_PER_RULE = 20;
const MAX_TEXT = 1000;

/** What one run of the engine found. */
export interface EngineResult {
  alerts: Alert[];
  ruleErrors: RuleError[];
  rules: number;
}

/**
 * Runs the alert rules over a finished request. One engine per alerts panel (so per glassbox
 * instance): it owns the route history anomaly rules compare against.
 */
export class AlertEngine {
  readonly rules: readonly AlertRule[];
  readonly thresholds: Readonly<AlertThresholds>;
  private readonly history: RouteHistory;

  /** Throws GBX_ERR_CONFIG for an unknown id in `disable` or two rules with one id. */
  constructor(options: AlertsOptions = {}) {
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...definedOnly(options.thresholds ?? {}) };
    const all = [...BUILTIN_RULES, ...(options.rules ?? [])];
    const ids = new Set<string>();
    for (const rule of all) {
      if (ids.has(rule.id))
        throw new GlassboxError(
          "GBX_ERR_CONFIG",
          `Invalid glassbox options: alerts.rules: two rules have the id "${rule.id}"; give your rule another id.`,
        );
      ids.add(rule.id);
    }
    const disabled = new Set(options.disable ?? []);
    for (const id of disabled) {
      if (!ids.has(id))
        throw new GlassboxError(
          "GBX_ERR_CONFIG",
          `Invalid glassbox options: alerts.disable: no rule has the id "${id}". Known rules: ${[...ids].join(", ")}.`,
        );
    }
    this.rules = all.filter((rule) => !disabled.has(rule.id));
    this.history = new RouteHistory(this.thresholds.anomalyWindow);
  }

  /**
   * Runs every rule. A rule that throws (or returns something unusable) is recorded in
   * `ruleErrors` and reported through `onRuleError`; the other rules still run.
   */
  run(
    ctx: RequestContext,
    panels: ReadonlyMap<string, PanelOutput>,
    onRuleError: (rule: string, message: string) => void,
  ): EngineResult {
    const stats: Record<string, number> = { durationMs: ctx.durationMs };
    for (const output of panels.values()) if (output.stats) Object.assign(stats, output.stats);
    const routeKey = `${ctx.request?.method ?? "?"} ${ctx.route ?? ctx.request?.path ?? "?"}`;
    const input = ruleInput(ctx, panels, stats, this.thresholds, this.history.baseline(routeKey));
    const alerts: Alert[] = [];
    const ruleErrors: RuleError[] = [];
    for (const rule of this.rules) {
      try {
        alerts.push(...normalize(rule, rule.check(input)));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        ruleErrors.push({ rule: rule.id, error: message.slice(0, MAX_TEXT) });
        onRuleError(rule.id, message);
      }
    }
    if (ctx.kind === "request") this.history.add(routeKey, ctx.durationMs, stats["sql.queries"]);
    return { alerts, ruleErrors, rules: this.rules.length };
  }
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function ruleInput(
  ctx: RequestContext,
  panels: ReadonlyMap<string, PanelOutput>,
  stats: Record<string, number>,
  thresholds: Readonly<AlertThresholds>,
  baseline: RuleInput["baseline"],
): RuleInput {
  const res = ctx.response;
  const reqHeaders = ctx.request?.headers;
  const resHeaders = res?.headers;
  let cookies: SetCookie[] | undefined;
  const status = res?.status ?? 0;
  // Header rules judge pages a browser renders: not redirects, 204 or 304.
  const isPage = (status >= 200 && status < 300 && status !== 204) || status >= 400;
  const length = Number(headerValue(resHeaders, "content-length"));
  let https: boolean | undefined;
  return {
    ctx,
    panels,
    stats,
    thresholds,
    baseline,
    responseHeader: (name) => headerValue(resHeaders, name),
    requestHeader: (name) => headerValue(reqHeaders, name),
    isHtml: isPage && isHtmlType(headerValue(resHeaders, "content-type")),
    // Lazy: reading the framework's trust-proxy setting costs more than most rules.
    get isHttps() {
      https ??= ctx.request?.tls === true || (forwardedProto(reqHeaders) === "https" && trustsProxy(ctx));
      return https;
    },
    responseBytes: res?.bytes ?? (Number.isFinite(length) && length >= 0 ? length : undefined),
    get setCookies() {
      cookies ??= headerValues(resHeaders, "set-cookie")
        .slice(0, 100)
        .map((line) => parseSetCookie(line))
        .filter((c): c is SetCookie => c !== undefined);
      return cookies;
    },
  };
}

/** Whether X-Forwarded-Proto may be believed: glassbox's trustProxy, or the framework's own setting. */
function trustsProxy(ctx: RequestContext): boolean {
  if (ctx.owner.config.trustProxy) return true;
  try {
    const settings = ctx.app?.settings?.();
    const value = settings?.["trust proxy"] ?? settings?.trustProxy;
    return value !== undefined && value !== false && value !== 0;
  } catch {
    return false;
  }
}

function forwardedProto(
  headers: Record<string, string | string[] | undefined> | undefined,
): string | undefined {
  return headerValue(headers, "x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
}

/** Turns what a rule returned into stored alerts; anything malformed is fixed up or rejected. */
function normalize(rule: AlertRule, result: ReturnType<AlertRule["check"]>): Alert[] {
  if (result === undefined || result === null || result === false) return [];
  if (typeof (result as { then?: unknown }).then === "function")
    throw new Error("check() returned a Promise; alert rules must be synchronous");
  const list: readonly AlertFinding[] = Array.isArray(result) ? result : [result as AlertFinding];
  const alerts: Alert[] = [];
  for (const finding of list.slice(0, MAX_FINDINGS_PER_RULE)) {
    if (typeof finding !== "object" || finding === null)
      throw new Error(`check() returned ${typeof finding} where an alert object was expected`);
    alerts.push(toAlert(rule.id, finding));
  }
  if (list.length > MAX_FINDINGS_PER_RULE)
    alerts.push({
      rule: rule.id,
      severity: "info",
      message: `${list.length - MAX_FINDINGS_PER_RULE} more findings of this rule were left out (at most ${MAX_FINDINGS_PER_RULE} are kept).`,
      evidence: { truncated: true, total: list.length },
    });
  return alerts;
}

function toAlert(rule: string, finding: AlertFinding): Alert {
  const alert: Alert = {
    rule,
    severity: SEVERITIES.has(finding.severity) ? finding.severity : "warning",
    message: String(finding.message ?? rule).slice(0, MAX_TEXT),
  };
  if (finding.evidence && typeof finding.evidence === "object") {
    const evidence: NonNullable<Alert["evidence"]> = {};
    for (const [key, value] of Object.entries(finding.evidence).slice(0, 30)) {
      evidence[key.slice(0, 100)] =
        value === null || typeof value === "number" || typeof value === "boolean"
          ? value
          : String(value).slice(0, MAX_TEXT);
    }
    alert.evidence = evidence;
  }
  if (finding.fix) alert.fix = String(finding.fix).slice(0, MAX_TEXT);
  if (finding.docs) alert.docs = String(finding.docs).slice(0, MAX_TEXT);
  return alert;
}
