import { Hook as ImportHook } from "import-in-the-middle";
import { Hook as RequireHook } from "require-in-the-middle";
import { appRequireFrom, loadedModule } from "./app-module.js";
import { instrumentBetterSqlite3 } from "./better-sqlite3.js";
import { instrumentIoredis } from "./ioredis.js";
import { instrumentMysql2 } from "./mysql2.js";
import { instrumentPg } from "./pg.js";
import { instrumentRedis } from "./redis.js";
import { instrumentEjs } from "./templates/ejs.js";
import { instrumentHandlebars } from "./templates/handlebars.js";

/** The drivers automatic mode instruments, by the name the app loads them with. */
export const AUTO_MODULES: Readonly<Record<string, (exports: unknown) => () => void>> = {
  pg: instrumentPg,
  mysql2: instrumentMysql2,
  "mysql2/promise": instrumentMysql2,
  "better-sqlite3": instrumentBetterSqlite3,
  ioredis: instrumentIoredis,
  redis: instrumentRedis,
  "@redis/client": instrumentRedis,
  ejs: instrumentEjs,
  handlebars: instrumentHandlebars,
};

const STATE_KEY = Symbol.for("glassbox.auto-instrument");
type GlobalWithState = typeof globalThis & { [STATE_KEY]?: () => void };

/**
 * Instruments the drivers in AUTO_MODULES (SQL, Redis, template engines) as the app loads them: `require` through require-in-the-middle,
 * `import` through import-in-the-middle (its loader hook must be registered, as
 * `glassbox/register` does). Drivers already loaded are instrumented at once. Only instruments:
 * nothing is recorded until a glassbox middleware runs. Returns the undo; a second call returns
 * the first call's undo.
 *
 * @example
 * import { instrumentOnLoad } from "glassbox/register";
 */
export function instrumentOnLoad(): () => void {
  const global = globalThis as GlobalWithState;
  const existing = global[STATE_KEY];
  if (existing) return existing;
  const undo: Array<() => void> = [];
  const instrument = (name: string, exports: unknown) => {
    const fn = AUTO_MODULES[name];
    if (!fn) return;
    try {
      undo.push(fn(exports));
    } catch {
      // A driver version glassbox does not understand runs unrecorded.
    }
  };
  const names = Object.keys(AUTO_MODULES);
  const requireHook = new RequireHook(names, (exports, name) => {
    instrument(name, exports);
    return exports;
  });
  let importHook: ImportHook | undefined;
  try {
    importHook = new ImportHook(names, (exported, name) => {
      instrument(name.replace(/\.js$/, ""), exported);
    });
  } catch {
    // No ESM loader hook in this process: require() is still covered.
  }
  instrumentAlreadyLoaded(instrument);
  // `import "glassbox/register"` as an app's first line: the app's other static imports were
  // resolved before the import hook existed, so look again once they have been evaluated.
  const late = setImmediate(() => instrumentAlreadyLoaded(instrument));
  late.unref();
  const teardown = () => {
    clearImmediate(late);
    requireHook.unhook();
    importHook?.unhook();
    for (const u of undo.reverse()) u();
    undo.length = 0;
    delete global[STATE_KEY];
  };
  global[STATE_KEY] = teardown;
  return teardown;
}

/** Drivers loaded before glassbox/register (a late import): instrument the copy the app resolves. */
function instrumentAlreadyLoaded(instrument: (name: string, exports: unknown) => void): void {
  const appRequire = appRequireFrom();
  if (!appRequire) return;
  for (const name of Object.keys(AUTO_MODULES)) {
    try {
      const loaded = loadedModule(appRequire, appRequire.resolve(name));
      if (loaded) instrument(name, loaded.exports);
    } catch {
      // Not installed.
    }
  }
}
