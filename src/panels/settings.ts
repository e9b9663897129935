import type { AppInfo, RequestContext } from "../core/context.js";
import { definePanel } from "../core/panel.js";
import { redactValue } from "../core/redact.js";
import { markShared } from "../core/shared.js";
import { type ViewNode, view } from "../core/view.js";

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
  view: settingsView,
  finish(ctx) {
    if (ctx.kind !== "request") return undefined;
    const data = settingsFor(ctx.owner, ctx.app);
    return { data, summary: `${Object.keys(data.app).length} app settings` };
  },
});

// Settings are read once per glassbox and app: describing and masking them costs more than the
// rest of a small request, and every record then shares one object (the store writes it once).
const cache = new WeakMap<object, WeakMap<object, SettingsData>>();

function settingsFor(owner: RequestContext["owner"], app: AppInfo | undefined): SettingsData {
  let byApp = cache.get(owner.config);
  if (!byApp) {
    byApp = new WeakMap();
    cache.set(owner.config, byApp);
  }
  const key = app ?? owner.config;
  let data = byApp.get(key);
  if (!data) {
    const rules = owner.redact;
    const { settings, ...glassbox } = owner.config;
    data = {
      glassbox: redactValue(describeConfig(glassbox), rules) as Record<string, unknown>,
      app: redactValue(describeConfig(settings), rules) as Record<string, unknown>,
      framework: redactValue(describeConfig(app?.settings?.() ?? {}), rules) as Record<string, unknown>,
    };
    byApp.set(key, markShared(data));
  }
  return data;
}

function settingsView(data: SettingsData): ViewNode[] {
  return [
    view.section("App settings", [view.json(data.app)]),
    view.section("Framework settings", [view.json(data.framework)]),
    view.section("glassbox config", [view.json(data.glassbox)], true),
  ];
}
