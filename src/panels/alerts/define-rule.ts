import type { AlertRule } from "./types.js";

/**
 * Helps type inference for a custom alert rule; returns the rule unchanged.
 *
 * @example
 * import { defineRule } from "glassbox";
 * const apiNoStore = defineRule({
 *   id: "app.api-cache-control",
 *   check: ({ ctx, responseHeader }) =>
 *     ctx.request?.path.startsWith("/api/") && !responseHeader("cache-control")
 *       ? { severity: "info", message: "API response without Cache-Control", evidence: { header: "cache-control" } }
 *       : undefined,
 * });
 * app.use(glassbox({ alerts: { rules: [apiNoStore] } }));
 */
export function defineRule(rule: AlertRule): AlertRule {
  return rule;
}
