export { defineRule } from "./define-rule.js";
export { createAlertsPanel } from "./panel.js";
export type {
  AlertFinding,
  AlertRule,
  AlertsData,
  AlertsOptions,
  AlertThresholds,
  RouteBaseline,
  RuleError,
  RuleInput,
  SetCookie,
} from "./types.js";
export { DEFAULT_THRESHOLDS } from "./types.js";
