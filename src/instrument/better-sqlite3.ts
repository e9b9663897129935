import { isGlassboxWrapper } from "./guard.js";
import { sharedPatch } from "./shared-patch.js";
import { nothingRecords, type QueryEnd, type QueryStart, rowCount, tryBeginQuery } from "./sql-common.js";

// better-sqlite3 is a dependency, but the app may load its own copy: read only these shapes.
interface SqliteDatabaseLike {
  name?: string;
}
interface SqliteStatementLike {
  source?: string;
  database?: SqliteDatabaseLike;
  reader?: boolean;
}
type Fn = (...args: unknown[]) => unknown;

const STATEMENT_METHODS = ["run", "get", "all", "iterate"] as const;

// Marks glassbox's own databases (its store, its EXPLAIN runner), shared by every copy of glassbox.
const INTERNAL = Symbol.for("glassbox.internal-database");

/**
 * Tells the instrumentation to pass a database's statements straight through: glassbox's own
 * writes would otherwise pay for a call-site capture per statement only to be discarded.
 */
export function markInternalDatabase(db: object): void {
  Object.defineProperty(db, INTERNAL, { value: true });
}

const isInternal = (db: unknown): boolean =>
  typeof db === "object" && db !== null && (db as { [INTERNAL]?: boolean })[INTERNAL] === true;

/**
 * Records every statement run through `better-sqlite3`: `Statement#run/get/all/iterate` (SQL
 * learned from `prepare`) and `Database#exec`. Statements are synchronous, so the duration is
 * exactly the driver's time. Returns the undo; calling it again does nothing more.
 *
 * @example
 * import Database from "better-sqlite3";
 * import { instrumentBetterSqlite3 } from "glassbox";
 * instrumentBetterSqlite3(Database);
 */
export function instrumentBetterSqlite3(Database: unknown): () => void {
  const ctor = (Database as { default?: unknown } | undefined)?.default ?? Database;
  const proto = typeof ctor === "function" ? (ctor.prototype as object | undefined) : undefined;
  if (!proto || typeof (proto as { prepare?: unknown }).prepare !== "function") return () => {};
  const releases = [
    sharedPatch(
      proto,
      "prepare",
      (original) =>
        function glassboxSqlitePrepare(this: unknown, ...args: unknown[]) {
          const statement = original.apply(this, args);
          if (!statementPatches.has(proto) && statement && typeof statement === "object") {
            try {
              const statementProto = Object.getPrototypeOf(statement) as object;
              statementPatches.set(
                proto,
                STATEMENT_METHODS.map((method) =>
                  sharedPatch(statementProto, method, (o) => wrapStatementMethod(o, method)),
                ),
              );
            } catch {
              // An unexpected Statement shape: statements run unrecorded.
              statementPatches.set(proto, []);
            }
          }
          return statement;
        },
    ),
    sharedPatch(proto, "exec", wrapExec),
  ];
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const release of releases) release();
    // The last caller gone (prepare is the driver's own again): the statements' patches go too.
    if (!isGlassboxWrapper((proto as { prepare?: unknown }).prepare)) {
      for (const release of statementPatches.get(proto) ?? []) release();
      statementPatches.delete(proto);
    }
  };
}

/**
 * The Statement class is native and not exported: its prototype is patched on the first
 * prepare, once per Database prototype, and unpatched when the last caller lets go.
 */
const statementPatches = new WeakMap<object, Array<() => void>>();

function identity(db: SqliteDatabaseLike | undefined): Pick<QueryStart, "database"> {
  return db?.name ? { database: db.name } : {};
}

function statementParams(args: unknown[]): unknown {
  if (args.length === 0) return undefined;
  // One object binds named parameters; anything else is positional (arrays are spread by the driver).
  if (args.length === 1 && args[0] !== null && typeof args[0] === "object" && !Array.isArray(args[0]))
    return ArrayBuffer.isView(args[0]) ? args : args[0];
  return args.flat();
}

function wrapStatementMethod(original: Fn, method: (typeof STATEMENT_METHODS)[number]): Fn {
  return function glassboxSqliteStatement(this: SqliteStatementLike, ...args: unknown[]) {
    if (nothingRecords() || isInternal(this.database)) return original.apply(this, args);
    const end = tryBeginQuery(() => {
      const start: QueryStart = {
        system: "sqlite",
        driver: "better-sqlite3",
        sql: String(this.source ?? ""),
        method,
        ...identity(this.database),
      };
      const params = statementParams(args);
      if (params !== undefined) start.params = params;
      return start;
    }, glassboxSqliteStatement);
    if (end === undefined) return original.apply(this, args);
    let result: unknown;
    try {
      result = original.apply(this, args);
    } catch (error) {
      end({ error });
      throw error;
    }
    if (method === "iterate") return observeIterator(result, end);
    end({ rows: method === "get" ? (result === undefined ? 0 : 1) : rowCount(result) });
    return result;
  };
}

/** `iterate()` runs as the app pulls rows: the statement ends when the iterator is done or closed. */
function observeIterator(iterator: unknown, end: QueryEnd): unknown {
  const it = iterator as Iterator<unknown> & Iterable<unknown>;
  if (!it || typeof it.next !== "function") {
    end({});
    return iterator;
  }
  let rows = 0;
  const next = it.next;
  const ret = it.return;
  try {
    it.next = function glassboxSqliteNext(this: unknown, ...args: unknown[]) {
      let step: IteratorResult<unknown>;
      try {
        step = (next as Fn).apply(this, args) as IteratorResult<unknown>;
      } catch (error) {
        end({ error, rows });
        throw error;
      }
      if (step.done) end({ rows });
      else rows++;
      return step;
    };
    if (typeof ret === "function") {
      it.return = function glassboxSqliteReturn(this: unknown, ...args: unknown[]) {
        end({ rows });
        return (ret as Fn).apply(this, args) as IteratorResult<unknown>;
      };
    }
  } catch {
    end({});
  }
  return iterator;
}

function wrapExec(original: Fn): Fn {
  return function glassboxSqliteExec(this: SqliteDatabaseLike, ...args: unknown[]) {
    if (nothingRecords() || isInternal(this)) return original.apply(this, args);
    const end = tryBeginQuery(
      () => ({
        system: "sqlite",
        driver: "better-sqlite3",
        sql: String(args[0] ?? ""),
        method: "exec",
        ...identity(this),
      }),
      glassboxSqliteExec,
    );
    if (end === undefined) return original.apply(this, args);
    try {
      const result = original.apply(this, args);
      end({});
      return result;
    } catch (error) {
      end({ error });
      throw error;
    }
  };
}
