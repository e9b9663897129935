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

// pg is an optional peer: these are the few shapes glassbox reads.
interface PgClientLike {
  database?: string;
  host?: string;
  port?: number;
}
interface PgQueryConfig {
  text?: string;
  values?: unknown[];
  name?: string;
  callback?: unknown;
  submit?: unknown;
}
interface PgModuleLike {
  Client?: { prototype: object };
  Pool?: { prototype: object };
  default?: PgModuleLike;
}

type Fn = (...args: unknown[]) => unknown;

/**
 * Records every statement run through `pg`: `Client#query` (callbacks, promises, query config
 * objects, prepared statements, cursors and streams) and `Pool#query`, which goes through a
 * client. Returns the undo. Calling it again does nothing more.
 *
 * @example
 * import pg from "pg";
 * import { instrumentPg } from "glassbox";
 * instrumentPg(pg);
 */
export function instrumentPg(pg: unknown): () => void {
  const mod = pg as PgModuleLike | undefined;
  const root = mod?.Client ? mod : mod?.default;
  if (!root?.Client) return () => {};
  const undo = [sharedPatch(root.Client.prototype, "query", wrapClientQuery)];
  if (root.Pool) {
    undo.push(sharedPatch(root.Pool.prototype, "query", wrapPoolQuery));
    undo.push(sharedPatch(root.Pool.prototype, "connect", wrapPoolConnect));
  }
  return () => {
    for (const u of undo.reverse()) u();
  };
}

function describe(client: PgClientLike, config: unknown, values: unknown): QueryStart | undefined {
  const cfg = (typeof config === "string" ? { text: config } : config) as PgQueryConfig | null;
  if (cfg === null || typeof cfg !== "object") return undefined;
  const text = typeof cfg.text === "string" ? cfg.text : "";
  const start: QueryStart = {
    system: "postgresql",
    driver: "pg",
    sql: text,
    method: typeof cfg.submit === "function" && typeof config !== "string" ? "submit" : "query",
  };
  const params = Array.isArray(values) ? values : cfg.values;
  if (params !== undefined) start.params = params;
  if (typeof cfg.name === "string") start.name = cfg.name;
  if (client.database) start.database = client.database;
  if (client.host) start.server = `${client.host}${client.port ? `:${client.port}` : ""}`;
  return start;
}

function wrapClientQuery(original: Fn): Fn {
  return function glassboxPgQuery(this: PgClientLike, ...args: unknown[]) {
    if (nothingRecords()) return original.apply(this, args);
    const config = args[0];
    let end: QueryEnd | undefined;
    const start = () => describe(this, config, args[1]) as QueryStart;
    if (config !== null && config !== undefined) end = tryBeginQuery(start, glassboxPgQuery);
    if (end === undefined) return original.apply(this, args);
    const cfg = config as PgQueryConfig;
    if (typeof cfg === "object" && typeof cfg.submit === "function") {
      observeSubmittable(cfg as Record<string, unknown>, end);
      return original.apply(this, args);
    }
    const cbIndex = typeof args[1] === "function" ? 1 : typeof args[2] === "function" ? 2 : -1;
    if (cbIndex >= 0) {
      args[cbIndex] = wrapCallback(args[cbIndex] as Fn, end);
    } else if (typeof cfg === "object" && typeof cfg.callback === "function") {
      args[0] = { ...cfg, callback: wrapCallback(cfg.callback as Fn, end) };
    }
    let result: unknown;
    try {
      result = original.apply(this, args);
    } catch (error) {
      end({ error });
      throw error;
    }
    if (cbIndex < 0 && isThenable(result)) {
      // A side branch: the app's promise is returned untouched and still rejects for the app.
      result.then(
        (res) => end({ rows: rowsOf(res) }),
        (error: unknown) => end({ error }),
      );
    }
    return result;
  };
}

function wrapCallback(callback: Fn, end: QueryEnd): Fn {
  return function glassboxPgCallback(this: unknown, ...args: unknown[]) {
    const error = args[0];
    end(error ? { error } : { rows: rowsOf(args[1]) });
    return callback.apply(this, args);
  };
}

/**
 * Cursors, streams and any other submittable: the driver calls their handlers, so the end is
 * seen there (command complete counts rows, an error or ready-for-query ends it).
 */
function observeSubmittable(query: Record<string, unknown>, end: QueryEnd): void {
  let rows: number | undefined;
  const observe = (name: string, seen: (arg: unknown) => void) => {
    const original = query[name];
    if (typeof original !== "function") return;
    try {
      query[name] = function glassboxPgHandler(this: unknown, ...args: unknown[]) {
        try {
          seen(args[0]);
        } catch {
          // Never reach the driver.
        }
        return (original as Fn).apply(this, args);
      };
    } catch {
      // A frozen query object: it runs unrecorded.
    }
  };
  observe("handleCommandComplete", (msg) => {
    const n = /(\d+)\s*$/.exec(String((msg as { text?: unknown } | undefined)?.text ?? ""));
    if (n) rows = (rows ?? 0) + Number(n[1]);
  });
  observe("handleError", (error) => end({ error, ...(rows !== undefined ? { rows } : {}) }));
  observe("handleReadyForQuery", () => end(rows !== undefined ? { rows } : {}));
}

function rowsOf(result: unknown): number | undefined {
  if (Array.isArray(result)) {
    // Several statements in one text: one result each.
    let total = 0;
    for (const r of result) total += rowCount(r) ?? 0;
    return total;
  }
  return rowCount(result);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"
  );
}

function wrapPoolQuery(original: Fn): Fn {
  return function glassboxPgPoolQuery(this: unknown, ...args: unknown[]) {
    if (nothingRecords()) return original.apply(this, args);
    return asPoolQuery(glassboxPgPoolQuery, () => original.apply(this, args));
  };
}

function wrapPoolConnect(original: Fn): Fn {
  return function glassboxPgPoolConnect(this: unknown, ...args: unknown[]) {
    if (typeof args[0] === "function") args[0] = bindCallback(args[0] as Fn);
    return original.apply(this, args);
  };
}
