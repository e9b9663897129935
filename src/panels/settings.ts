import { definePanel } from "../core/panel.js";
import { redactValue } from "../core/redact.js";

export interface SettingsData {
  glassbox: Record<string, unknown>;
  app: Record<string, unknown>;
  framework: Record<string, unknown>;
}

/** Turns config values that are not JSON (functions, RegExps, stores, panels) into readable text. */
export function describeConfig(value: unknown, depth = 0): unknown {
  if (typeof value === "function") return `[function ${value.name || "anonymous"}]`;
  if (value instanceof RegExp) return String(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 6) return "[…]";
  if (Array.isArray(value)) return value.map((v) => describeConfig(v, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const id = (value as { id?: unknown }).id;
    return typeof id === "string"
      ? `[${proto?.constructor?.name ?? "object"} ${id}]`
      : `[${proto?.constructor?.name ?? "object"}]`;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = describeConfig(v, depth + 1);
  return out;
}

/** glassbox's own config, the app settings the user passed, and the framework's settings; all masked. */
export const settingsPanel = definePanel<undefined, SettingsData>({
  id: "settings",
  title: "Settings",
  finish(ctx) {
    if (ctx.kind !== "request") return undefined;
    const owner = ctx.owner;
    const rules = owner.redact;
    const { settings, ...glassbox } = owner.config;
    const data: SettingsData = {
      glassbox: redactValue(describeConfig(glassbox), rules) as Record<string, unknown>,
      app: redactValue(describeConfig(settings), rules) as Record<string, unknown>,
      framework: redactValue(describeConfig(ctx.app?.settings?.() ?? {}), rules) as Record<string, unknown>,
    };
    return { data, summary: `${Object.keys(data.app).length} app settings` };
  },
});
