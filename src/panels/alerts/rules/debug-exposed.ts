import { hostName, isLocalHost } from "../inspect.js";
import type { AlertRule } from "../types.js";

/**
 * Debug tooling on a Host that is not this machine: glassbox, a development NODE_ENV or Express's
 * development env, reachable by name or address from elsewhere, usually means a staging or
 * production deployment that leaks internals.
 */
export const debugExposed: AlertRule = {
  id: "debug.exposed",
  description: "glassbox or development settings are active on a request for a non-local Host.",
  check({ ctx, requestHeader }) {
    const host = hostName(requestHeader("host"));
    if (isLocalHost(host)) return undefined;
    const nodeEnv = process.env.NODE_ENV;
    const appEnv = ctx.app?.settings?.().env;
    const signals: string[] = ["glassbox is recording"];
    if (nodeEnv !== "production") signals.push(`NODE_ENV is ${nodeEnv ? `"${nodeEnv}"` : "unset"}`);
    if (appEnv === "development") signals.push(`${ctx.framework ?? "the app"} env is "development"`);
    return {
      severity: ctx.visible ? "error" : "warning",
      message: `Debug settings are active on a request for "${host}", which is not this machine: ${signals.join(", ")}.`,
      evidence: {
        header: "host",
        value: (host ?? "").slice(0, 200),
        nodeEnv: nodeEnv ?? null,
        appEnv: typeof appEnv === "string" ? appEnv : null,
        glassboxVisibleToClient: ctx.visible,
      },
      fix: "Run deployed apps with NODE_ENV=production and without glassbox (or glassbox({ enabled: false })); for a shared dev host, list it in `hosts` and silence this rule with alerts.disable.",
      docs: "https://expressjs.com/en/advanced/best-practice-performance.html#set-node_env-to-production",
    };
  },
};
