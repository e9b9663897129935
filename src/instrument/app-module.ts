import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import { Hook as RequireHook } from "require-in-the-middle";

/** A library a panel instruments in the app's own copy, once the app has loaded it. */
export interface AppModule {
  /** The name the app loads it by. */
  readonly name: string;
  /** A package the app may load it through instead (node-redis loads `@redis/client`). */
  readonly via?: string;
  /** Instruments the module's exports; returns the undo. */
  readonly instrument: (exports: unknown) => () => void;
}

export interface AppModuleWatch {
  /** Instruments what the app has loaded since the last look; nothing to do once all are in. */
  check(): void;
  /** Stops watching and undoes the instrumentation. */
  undo(): void;
}

interface Pending {
  readonly module: AppModule;
  /** The files the app would load it from (resolved, never loaded, by glassbox). */
  readonly files: readonly string[];
  done: boolean;
}

/**
 * Instruments the copies of `modules` that the app loads, without loading them: at once for those
 * already loaded (`require.cache`, which also holds CommonJS packages an ES module imported), when
 * the app requires them later (require-in-the-middle), and otherwise at the next `check()` (the
 * cache panel looks at the start of each recorded request). Loading a client the app never uses
 * costs start-up time and memory, and made `process.nextTick` slower for the whole process on
 * Node 20 (docs/benchmarks.md, "2026-12-05: a Redis client the app never loaded").
 */
export function watchAppModules(modules: readonly AppModule[], cwd: string = process.cwd()): AppModuleWatch {
  let appRequire: NodeJS.Require;
  try {
    appRequire = createRequire(join(cwd, "package.json"));
  } catch {
    return { check: () => {}, undo: () => {} };
  }
  const pending: Pending[] = modules.map((module) => ({
    module,
    files: filesOf(appRequire, module),
    done: false,
  }));
  const undos: Array<() => void> = [];
  let left = pending.filter((p) => p.files.length > 0).length;
  const instrument = (entry: Pending, exports: unknown) => {
    if (entry.done) return;
    entry.done = true;
    left--;
    try {
      undos.push(entry.module.instrument(exports));
    } catch {
      // A version glassbox does not understand runs unrecorded.
    }
    if (left === 0) hook?.unhook();
  };
  const check = () => {
    if (left === 0) return;
    for (const entry of pending) {
      if (entry.done) continue;
      for (const file of entry.files) {
        const loaded = appRequire.cache[file];
        if (loaded?.loaded) {
          instrument(entry, loaded.exports);
          break;
        }
      }
    }
  };
  let hook: RequireHook | undefined;
  check();
  if (left > 0) {
    const names = pending.filter((p) => !p.done && p.files.length > 0).map((p) => p.module.name);
    hook = new RequireHook(names, (exports, name, basedir) => {
      const entry = pending.find(
        (p) => p.module.name === name && p.files.some((f) => basedir && f.startsWith(basedir + sep)),
      );
      if (entry) instrument(entry, exports);
      return exports;
    });
  }
  // An app's static imports may still be evaluating when glassbox starts: look again after them.
  const late = setImmediate(check);
  late.unref();
  return {
    check,
    undo() {
      clearImmediate(late);
      hook?.unhook();
      left = 0;
      for (const u of undos.splice(0).reverse()) u();
    },
  };
}

/** Where the app would load `module` from, directly and through its `via` package. */
function filesOf(appRequire: NodeJS.Require, module: AppModule): string[] {
  const files: string[] = [];
  const add = (resolve: () => string) => {
    try {
      const file = resolve();
      if (!files.includes(file)) files.push(file);
    } catch {
      // Not installed where the app would look.
    }
  };
  add(() => appRequire.resolve(module.name));
  const via = module.via;
  if (via)
    add(() =>
      createRequire(join(dirname(appRequire.resolve(`${via}/package.json`)), "package.json")).resolve(
        module.name,
      ),
    );
  return files;
}
