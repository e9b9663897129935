import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import { Hook as RequireHook } from "require-in-the-middle";

/** A library a panel instruments in the app's own copy, once the app has loaded it. */
export interface AppModule {
  /** The package name the app loads it by. */
  readonly name: string;
  /** A package that may load its own copy (express-handlebars loads `handlebars`). */
  readonly via?: string;
  /** Instruments the module's exports (`file` is its resolved main file); returns the undo. */
  readonly instrument: (exports: unknown, file: string) => () => void;
}

interface Watched {
  readonly module: AppModule;
  /** The file the app (or the `via` package) would load it from: resolved, never loaded, here. */
  readonly file: string;
  done: boolean;
}

interface Watch {
  check(): void;
  undo(): void;
}

/** Every live watch, so one look at the start of a recorded request serves them all. */
const watches = new Set<Watch>();

/**
 * Instruments the copies of `modules` that the app loads, without loading them: at once for those
 * already loaded (`require.cache`, which also holds CommonJS packages an ES module imported), when
 * the app requires them later (require-in-the-middle), and otherwise at the next
 * `checkAppModules()` (glassbox calls it at the start of each recorded request). Returns the undo.
 *
 * Why not require them: a panel then loaded libraries into apps that never use them (Express,
 * EJS and Handlebars into a Fastify app: 10 MB more heap, which every major garbage collection
 * marks), and a loaded ioredis made `process.nextTick` slower for the whole process on Node 20
 * (docs/benchmarks.md, "Late runs of 2026-12-05: libraries the app never loaded").
 */
export function watchAppModules(modules: readonly AppModule[], cwd: string = process.cwd()): () => void {
  const appRequire = appRequireFrom(cwd);
  if (!appRequire) return () => {};
  const watched: Watched[] = modules.flatMap((module) =>
    filesOf(appRequire, module).map((file) => ({ module, file, done: false })),
  );
  const undos: Array<() => void> = [];
  let left = watched.length;
  let hook: RequireHook | undefined;
  const instrument = (entry: Watched, exports: unknown) => {
    if (entry.done) return;
    entry.done = true;
    left--;
    try {
      undos.push(entry.module.instrument(exports, entry.file));
    } catch {
      // A version glassbox does not understand runs unrecorded.
    }
    if (left === 0) hook?.unhook();
  };
  const watch: Watch = {
    check() {
      if (left === 0) return;
      for (const entry of watched) {
        const loaded = entry.done ? undefined : loadedModule(appRequire, entry.file);
        if (loaded) instrument(entry, loaded.exports);
      }
    },
    undo() {
      watches.delete(watch);
      clearImmediate(late);
      hook?.unhook();
      left = 0;
      for (const u of undos.splice(0).reverse()) u();
    },
  };
  watch.check();
  if (left > 0) {
    const names = [...new Set(watched.filter((w) => !w.done).map((w) => w.module.name))];
    hook = new RequireHook(names, (exports, name, basedir) => {
      const entry = watched.find(
        (w) => w.module.name === name && basedir && w.file.startsWith(basedir + sep),
      );
      if (entry) instrument(entry, exports);
      return exports;
    });
  }
  // An app's static imports may still be evaluating when glassbox starts: look again after them.
  const late = setImmediate(watch.check);
  late.unref();
  watches.add(watch);
  return watch.undo;
}

/** Instruments what the app has loaded since the last look, for every watch (a loop when done). */
export function checkAppModules(): void {
  for (const watch of watches) watch.check();
}

/** A require that resolves packages as the app in `cwd` does (undefined where none can be made). */
export function appRequireFrom(cwd: string = process.cwd()): NodeJS.Require | undefined {
  try {
    return createRequire(join(cwd, "package.json"));
  } catch {
    return undefined;
  }
}

/** The module loaded from `file`, once it has finished loading; never loads it. */
export function loadedModule(appRequire: NodeJS.Require, file: string): NodeJS.Module | undefined {
  const loaded = appRequire.cache[file];
  return loaded?.loaded ? loaded : undefined;
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
