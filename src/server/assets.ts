import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the built UI (toolbar.js, dashboard.js, styles) lives: dist/ui, from src or dist. */
function uiDir(): string | undefined {
  const here = dirname(typeof __filename === "string" ? __filename : fileURLToPath(import.meta.url));
  for (const candidate of [join(here, "ui"), join(here, "../ui"), join(here, "../../dist/ui")]) {
    if (existsSync(join(candidate, "toolbar.js"))) return candidate;
  }
  return undefined;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

const cache = new Map<string, { body: Buffer; type: string } | undefined>();
let dir: string | undefined | null = null;

/** A built UI file by name ("toolbar.js"); undefined when absent. Names are checked, never joined raw. */
export function uiAsset(name: string): { body: Buffer; type: string } | undefined {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name) || name.includes("..")) return undefined;
  if (cache.has(name)) return cache.get(name);
  if (dir === null) dir = uiDir();
  let asset: { body: Buffer; type: string } | undefined;
  if (dir) {
    const path = join(dir, name);
    const ext = name.slice(name.lastIndexOf("."));
    if (existsSync(path) && TYPES[ext]) asset = { body: readFileSync(path), type: TYPES[ext] };
  }
  cache.set(name, asset);
  return asset;
}
