import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { definePanel } from "../core/panel.js";
import { GLASSBOX_VERSION } from "../core/version.js";

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
  finish(ctx) {
    if (ctx.kind !== "request") return undefined;
    const app = readAppPackage(ctx.owner.config.packageJson ?? join(process.cwd(), "package.json"));
    const data: VersionsData = {
      node: process.versions.node,
      v8: process.versions.v8,
      platform: `${process.platform} ${process.arch}`,
      glassbox: GLASSBOX_VERSION,
      dependencies: app?.dependencies ?? {},
    };
    if (ctx.app)
      data.framework = {
        name: ctx.app.framework,
        ...(ctx.app.frameworkVersion ? { version: ctx.app.frameworkVersion } : {}),
      };
    if (app?.name || app?.version)
      data.app = {
        ...(app.name ? { name: app.name } : {}),
        ...(app.version ? { version: app.version } : {}),
      };
    return {
      data,
      summary:
        `Node ${data.node}${data.framework ? `, ${data.framework.name} ${data.framework.version ?? ""}` : ""}`.trim(),
    };
  },
});
