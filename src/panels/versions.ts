import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { AppInfo } from "../core/context.js";
import { definePanel } from "../core/panel.js";
import { markShared } from "../core/shared.js";
import { GLASSBOX_VERSION } from "../core/version.js";
import { type ViewNode, view } from "../core/view.js";

export interface VersionsData {
  node: string;
  v8: string;
  platform: string;
  glassbox: string;
  framework?: { name: string; version?: string };
  app?: { name?: string; version?: string };
  /** Installed versions of the app's dependencies (declared range when not installed). */
  dependencies: Record<string, { declared: string; installed?: string }>;
}

interface AppPackage {
  name?: string;
  version?: string;
  dependencies: Record<string, { declared: string; installed?: string }>;
}

const cache = new Map<string, AppPackage | undefined>();

/** Reads the app's package.json and its installed dependency versions once per path. */
export function readAppPackage(path: string): AppPackage | undefined {
  if (cache.has(path)) return cache.get(path);
  let result: AppPackage | undefined;
  try {
    const pkg = JSON.parse(readFileSync(path, "utf8")) as {
      name?: string;
      version?: string;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const require = createRequire(path);
    const dependencies: AppPackage["dependencies"] = {};
    for (const [name, declared] of Object.entries({ ...pkg.devDependencies, ...pkg.dependencies })) {
      const entry: { declared: string; installed?: string } = { declared };
      try {
        const installed = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as {
          version?: string;
        };
        if (installed.version) entry.installed = installed.version;
      } catch {
        // Not installed, or its package.json is not exported: the declared range is all we have.
      }
      dependencies[name] = entry;
    }
    result = { dependencies };
    if (pkg.name) result.name = pkg.name;
    if (pkg.version) result.version = pkg.version;
  } catch {
    result = undefined;
  }
  cache.set(path, result);
  return result;
}

/** Node, V8, glassbox, the framework and the app's dependencies. */
export const versionsPanel = definePanel<undefined, VersionsData>({
  id: "versions",
  title: "Versions",
  view: versionsView,
  finish(ctx) {
    if (ctx.kind !== "request") return undefined;
    const data = versionsFor(ctx.owner.config.packageJson ?? join(process.cwd(), "package.json"), ctx.app);
    return {
      data,
      summary:
        `Node ${data.node}${data.framework ? `, ${data.framework.name} ${data.framework.version ?? ""}` : ""}`.trim(),
    };
  },
});

// One object per package.json and app, shared by every record (the store writes it once).
const dataCache = new Map<string, WeakMap<object, VersionsData>>();
const NO_APP = {};

function versionsFor(packageJson: string, appInfo: AppInfo | undefined): VersionsData {
  let byApp = dataCache.get(packageJson);
  if (!byApp) {
    byApp = new WeakMap();
    dataCache.set(packageJson, byApp);
  }
  const cached = byApp.get(appInfo ?? NO_APP);
  if (cached) return cached;
  const app = readAppPackage(packageJson);
  const data: VersionsData = {
    node: process.versions.node,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
    glassbox: GLASSBOX_VERSION,
    dependencies: app?.dependencies ?? {},
  };
  if (appInfo)
    data.framework = {
      name: appInfo.framework,
      ...(appInfo.frameworkVersion ? { version: appInfo.frameworkVersion } : {}),
    };
  if (app?.name || app?.version)
    data.app = {
      ...(app.name ? { name: app.name } : {}),
      ...(app.version ? { version: app.version } : {}),
    };
  byApp.set(appInfo ?? NO_APP, markShared(data));
  return data;
}

function versionsView(data: VersionsData): ViewNode[] {
  const entries: Array<[string, string]> = [
    ["Node.js", data.node],
    ["V8", data.v8],
    ["Platform", data.platform],
    ["glassbox", data.glassbox],
  ];
  if (data.framework)
    entries.push(["Framework", `${data.framework.name} ${data.framework.version ?? ""}`.trim()]);
  if (data.app) entries.push(["App", `${data.app.name ?? ""} ${data.app.version ?? ""}`.trim()]);
  const deps = Object.entries(data.dependencies);
  return [
    view.kv(entries),
    deps.length
      ? view.section("Dependencies", [
          view.table(
            ["Package", "Declared", "Installed"],
            deps.map(([name, d]) => [name, d.declared, d.installed ?? view.text("not installed", "muted")]),
          ),
        ])
      : view.text("No package.json dependencies found.", "muted"),
  ];
}
