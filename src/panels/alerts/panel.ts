import type { Panel } from "../../core/panel.js";
import type { Alert, AlertSeverity } from "../../core/record.js";
import { type ViewNode, view } from "../../core/view.js";
import { AlertEngine } from "./engine.js";
import type { AlertsData, AlertsOptions } from "./types.js";

/** Warning code for a rule that threw (see docs/errors.md). */
export const RULE_FAILED = "GBXW008";

/**
 * The alerts panel: runs last, reads every earlier panel's output and raises what looks wrong
 * (security headers, cookies, CSRF, debug exposure, size, time, SQL, event loop, anomalies).
 * Each call makes a new panel with its own route history, so two glassbox instances never share it.
 *
 * @example
 * app.use(glassbox({ alerts: { disable: ["headers.referrer-policy-missing"], thresholds: { durationMs: 500 } } }));
 */
export function createAlertsPanel(options: AlertsOptions = {}): Panel<undefined, AlertsData> {
  const engine = new AlertEngine(options);
  let warn: (code: string, message: string, onceKey?: string) => void = () => {};
  return {
    id: "alerts",
    title: "Alerts",
    view: alertsView,
    setup(setup) {
      warn = setup.warn;
      return undefined;
    },
    finish(ctx, _state, earlier) {
      if (ctx.kind !== "request") return undefined;
      const result = engine.run(ctx, earlier, (rule, message) =>
        warn(RULE_FAILED, `alert rule "${rule}" threw: ${message}`, `alert-rule:${rule}`),
      );
      const all: Alert[] = [...result.alerts];
      for (const [id, output] of earlier) if (id !== "alerts" && output.alerts) all.push(...output.alerts);
      const counts: Record<AlertSeverity, number> = { error: 0, warning: 0, info: 0 };
      for (const alert of all) counts[alert.severity] = (counts[alert.severity] ?? 0) + 1;
      const data: AlertsData = { rules: result.rules, counts, ruleErrors: result.ruleErrors };
      return {
        data,
        alerts: result.alerts,
        summary: all.length
          ? `${counts.error} errors, ${counts.warning} warnings, ${counts.info} notes`
          : "nothing to report",
        stats: { "alerts.errors": counts.error, "alerts.warnings": counts.warning },
      };
    },
  };
}

const TONE = { error: "error", warning: "warning", info: "info" } as const;
const ORDER: Record<AlertSeverity, number> = { error: 0, warning: 1, info: 2 };

/** Every alert on the record (from any panel), worst first, then the rules that failed. */
function alertsView(data: AlertsData, record: { alerts: Alert[] }): ViewNode[] {
  const alerts = [...(record.alerts ?? [])].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  const nodes: ViewNode[] = [];
  if (alerts.length === 0) nodes.push(view.text("No alerts for this request.", "muted"));
  else
    nodes.push(
      view.table(
        ["Severity", "Rule", "Message", "Evidence", "Fix"],
        alerts.map((a) => [
          view.badge(a.severity, TONE[a.severity] ?? "muted"),
          a.rule,
          a.message,
          a.evidence
            ? Object.entries(a.evidence)
                .map(([k, v]) => `${k}: ${v === null ? "none" : String(v)}`)
                .join("\n")
            : "",
          a.docs ? `${a.fix ?? ""}\n${a.docs}`.trim() : (a.fix ?? ""),
        ]),
        `${alerts.length} alerts from ${data.rules} rules`,
      ),
    );
  if (data.ruleErrors.length)
    nodes.push(
      view.section("Rules that failed", [
        view.table(
          ["Rule", "Error"],
          data.ruleErrors.map((e) => [e.rule, view.text(e.error, "error")]),
        ),
      ]),
    );
  return nodes;
}
