import { createRequire } from "node:module";
import { join } from "node:path";
import { sharedPatch } from "./shared-patch.js";
import {
  asPoolQuery,
  bindCallback,
  nothingRecords,
  type QueryEnd,
  type QueryStart,
  rowCount,
  tryBeginQuery,
} from "./sql-common.js";

// mysql2 is an optional peer: these are the few shapes glassbox reads.
interface Mysql2Config {
  database?: string;
  host?: string;
  port?: number;
  socketPath?: string;
}
interface Mysql2ConnectionLike {
  config?: Mysql2Config;
}
interface Mysql2Command {
  sql?: unknown;
  values?: unknown;
  onResult?: unknown;
  emit?: unknown;
  constructor?: { name?: string };
}
interface Mysql2ModuleLike {
  Connection?: { prototype: object };
  Pool?: { prototype: object };
  PromiseConnection?: unknown;
  default?: Mysql2ModuleLike;
}

type Fn = (...args: unknown[]) => unknown;

/**
 * Records every statement run through `mysql2`: `query` and `execute` on connections and pools,
 * with callbacks, promises (`mysql2/promise`) or streamed results. Accepts the `mysql2` or the
 * `mysql2/promise` module. Returns the undo; calling it again does nothing more.
 *
 * The original SQL and values are recorded, not the text mysql2 formats with the values inlined,
 * so parameters stay maskable. (mysql2's `mysql2:query` tracing channel only carries the
 * formatted text, and runs pool queries in the context of whichever request freed a connection.)
 *
 * @example
 * import mysql from "mysql2/promise";
 * import { instrumentMysql2 } from "glassbox";
 * instrumentMysql2(mysql);
 */
export function instrumentMysql2(mysql: unknown): () => void {
  const core = coreModule(mysql as Mysql2ModuleLike | undefined);
  if (!core?.Connection) return () => {};
  const connection = ownerOf(core.Connection.prototype, "query");
  const undo: Array<() => void> = [];
  if (connection) {
    undo.push(sharedPatch(connection, "query", (o) => wrapConnectionMethod(o, "query")));
    undo.push(sharedPatch(connection, "execute", (o) => wrapConnectionMethod(o, "execute")));
  }
  const pool = core.Pool ? ownerOf(core.Pool.prototype, "getConnection") : undefined;
  if (pool) {
    undo.push(sharedPatch(pool, "query", wrapPoolQuery));
    undo.push(sharedPatch(pool, "execute", wrapPoolQuery));
    undo.push(sharedPatch(pool, "getConnection", wrapGetConnection));
  }
  return () => {
    for (const u of undo.reverse()) u();
  };
}

/** The callback API module (Connection, Pool), from either `mysql2` or `mysql2/promise`. */
function coreModule(mod: Mysql2ModuleLike | undefined): Mysql2ModuleLike | undefined {
  if (!mod) return undefined;
  if (mod.Connection && !mod.PromiseConnection) return mod;
  if (mod.default && mod.default !== mod) return coreModule(mod.default);
  // mysql2/promise only exports its promise wrappers: load the core classes next to it.
  const file = loadedFileOf(mod);
  if (!file) return undefined;
  try {
    const require = createRequire(file);
    return { Connection: require("./lib/connection.js"), Pool: require("./lib/pool.js") };
  } catch {
    return undefined;
  }
}

/** The file a loaded CommonJS module came from, found by its exports. */
function loadedFileOf(exports: unknown): string | undefined {
  try {
    const require = createRequire(join(process.cwd(), "package.json"));
    for (const [file, mod] of Object.entries(require.cache)) if (mod?.exports === exports) return file;
  } catch {
    // No module cache to search (bundled app).
  }
  return undefined;
}

/** The object in the prototype chain that defines `name` itself. */
function ownerOf(proto: object, name: string): object | undefined {
  for (let p: object | null = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p))
    if (Object.hasOwn(p, name)) return p;
  return undefined;
}

function identity(conn: Mysql2ConnectionLike): Pick<QueryStart, "database" | "server"> {
  const c = conn.config;
  const out: Pick<QueryStart, "database" | "server"> = {};
  if (!c) return out;
  if (c.database) out.database = c.database;
  const server = c.socketPath ?? (c.host ? `${c.host}:${c.port ?? 3306}` : undefined);
  if (server) out.server = server;
  return out;
}

function isCommand(value: unknown): value is Mysql2Command {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Mysql2Command).emit === "function" &&
    typeof (value as Mysql2Command).sql === "string"
  );
}

function wrapConnectionMethod(original: Fn, method: "query" | "execute"): Fn {
  return function glassboxMysql2Query(this: Mysql2ConnectionLike, ...args: unknown[]) {
    if (nothingRecords()) return original.apply(this, args);
    const first = args[0];
    const command = isCommand(first) ? first : undefined;
    const describe = (): QueryStart => {
      const options = (typeof first === "object" && first !== null ? first : {}) as Mysql2Command;
      const sql = typeof first === "string" ? first : String(options.sql ?? "");
      const values = command
        ? command.values
        : args[1] !== undefined && typeof args[1] !== "function"
          ? args[1]
          : options.values;
      const start: QueryStart = { system: "mysql", driver: "mysql2", sql, method, ...identity(this) };
      if (values !== undefined) start.params = values;
      return start;
    };
    const end = tryBeginQuery(describe, glassboxMysql2Query);
    if (end === undefined) return original.apply(this, args);
    if (command) {
      if (typeof command.onResult === "function")
        command.onResult = wrapCallback(command.onResult as Fn, end);
    } else {
      const cbIndex = typeof args[1] === "function" ? 1 : typeof args[2] === "function" ? 2 : -1;
      if (cbIndex >= 0) args[cbIndex] = wrapCallback(args[cbIndex] as Fn, end);
    }
    let result: unknown;
    try {
      result = original.apply(this, args);
    } catch (error) {
      end({ error });
      throw error;
    }
    if (isCommand(result) && typeof result.onResult !== "function") observeEmitter(result, end);
    return result;
  };
}

function wrapCallback(callback: Fn, end: QueryEnd): Fn {
  return function glassboxMysql2Callback(this: unknown, ...args: unknown[]) {
    const error = args[0];
    end(error ? { error } : { rows: rowsOf(args[1]) });
    return callback.apply(this, args);
  };
}

/** Streamed results (no callback): rows arrive as 'result' events, then 'end' (after 'error'). */
function observeEmitter(command: Mysql2Command, end: QueryEnd): void {
  const emit = command.emit as Fn;
  let rows = 0;
  let error: unknown;
  try {
    command.emit = function glassboxMysql2Emit(this: unknown, ...args: unknown[]) {
      const name = args[0];
      if (name === "result") rows += isHeader(args[1]) ? (rowCount(args[1]) ?? 0) : 1;
      else if (name === "error") error = args[1];
      else if (name === "end") end(error === undefined ? { rows } : { error, rows });
      return emit.apply(this, args);
    };
  } catch {
    // A frozen command: it runs unrecorded.
  }
}

function rowsOf(result: unknown): number | undefined {
  // Several statements in one text: an array of results, each an array of rows or a header.
  if (Array.isArray(result) && result.some((r) => Array.isArray(r) || isHeader(r))) {
    let total = 0;
    for (const r of result) total += rowCount(r) ?? 0;
    return total;
  }
  return rowCount(result);
}

const isHeader = (r: unknown) =>
  typeof r === "object" && r !== null && typeof (r as { affectedRows?: unknown }).affectedRows === "number";

function wrapPoolQuery(original: Fn): Fn {
  return function glassboxMysql2PoolQuery(this: unknown, ...args: unknown[]) {
    if (nothingRecords()) return original.apply(this, args);
    return asPoolQuery(glassboxMysql2PoolQuery, () => original.apply(this, args));
  };
}

function wrapGetConnection(original: Fn): Fn {
  return function glassboxMysql2GetConnection(this: unknown, ...args: unknown[]) {
    if (typeof args[0] === "function") args[0] = bindCallback(args[0] as Fn);
    return original.apply(this, args);
  };
}
