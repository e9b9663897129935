/**
 * Automatic mode: load this first and glassbox instruments the drivers it knows (pg, mysql2,
 * better-sqlite3, ioredis, redis, ejs, handlebars) as the app requires or imports them. The app still adds the glassbox
 * middleware; this only instruments.
 *
 *   node --import glassbox/register app.js     (ES modules, or both)
 *   node -r glassbox/register app.js           (CommonJS)
 *   import "glassbox/register";                (first line of the app's entry file)
 */
import * as nodeModule from "node:module";
import { AUTO_MODULES, instrumentOnLoad } from "./instrument/auto.js";

const HOOK_KEY = Symbol.for("glassbox.import-hook-registered");

registerImportHook();
instrumentOnLoad();

export { instrumentOnLoad };

/**
 * Lets import-in-the-middle see ES module imports of the drivers (and only those). Once per
 * process, even when both builds of glassbox/register are loaded (`-r` and `--import`).
 */
function registerImportHook(): void {
  const register = (nodeModule as { register?: typeof nodeModule.register }).register;
  const global = globalThis as typeof globalThis & { [HOOK_KEY]?: boolean };
  // CommonJS (`-r`): require() is hooked directly, and a loader registered from a preload is
  // initialized twice on Node 20 (a warning in the app's output).
  const commonJs = typeof require === "function" && typeof module === "object";
  if (commonJs || typeof register !== "function" || global[HOOK_KEY]) return;
  global[HOOK_KEY] = true;
  try {
    const parent = import.meta.url;
    register("import-in-the-middle/hook.mjs", parent, { data: { include: Object.keys(AUTO_MODULES) } });
  } catch {
    // An older Node without module.register: CommonJS loading is still covered.
  }
}
