import { performance } from "node:perf_hooks";
import { type CallSite, captureCallSite } from "../core/callsite.js";
import {
  activeContext,
  contextStorage,
  type RequestContext,
  runInContext,
  UNRECORDED,
  type UnrecordedRequest,
} from "../core/context.js";
import type { SqlEvent, SqlSystem } from "./sql-event.js";
import { redactSqlParams } from "./sql-params.js";

/** What an instrumentation knows when a statement starts. */
export interface QueryStart {
  system: SqlSystem;
  driver: string;
  sql: string;
  params?: unknown;
  name?: string;
  method?: string;
  database?: string;
  server?: string;
}

export interface QueryOutcome {
  rows?: number;
  error?: unknown;
}

/** Ends a recorded statement; calling it again does nothing. */
export type QueryEnd = (outcome: QueryOutcome) => void;

// biome-ignore lint/suspicious/noExplicitAny: a wrapper of any signature marks where the app's stack starts.
type AnyFunction = (...args: any[]) => unknown;

const ID_KEY = Symbol.for("glassbox.sql-query-ids");
type GlobalWithIds = typeof globalThis & { [ID_KEY]?: { prefix: string; next: number } };
const globalIds = globalThis as GlobalWithIds;
// Shared by every copy of glassbox in the process (ESM and CJS builds), so ids never collide.
globalIds[ID_KEY] ??= { prefix: Math.random().toString(36).slice(2, 8), next: 0 };
const ids = globalIds[ID_KEY];

/** A query id unique in this process: EXPLAIN refers to a query by record id and this id. */
export function nextQueryId(): string {
  ids.next += 1;
  return `${ids.prefix}-${ids.next.toString(36)}`;
}

/** Who made a query that a driver runs later on their behalf (a pool waiting for a connection). */
export interface Caller {
  ctx: RequestContext | UnrecordedRequest | undefined;
  callSite?: CallSite;
}

let inherited: Caller | undefined;
let pending: Caller | undefined;

/**
 * Remembers the request and call site of a pool-level query while the pool's own method runs
 * synchronously, so the connection callback it schedules can be bound to them (see bindCallback).
 * Returns the pool method's result unchanged.
 */
export function asPoolQuery<T>(boundary: AnyFunction, run: () => T): T {
  if (activeContext() === undefined) return run();
  const started = performance.now();
  const caller: Caller = { ctx: contextStorage.getStore() };
  const site = captureCallSite(stackDepth(), undefined, boundary);
  if (caller.ctx && "ownMs" in caller.ctx) caller.ctx.ownMs += performance.now() - started;
  if (site.internal) return run();
  caller.callSite = site;
  const previous = pending;
  pending = caller;
  try {
    return run();
  } finally {
    pending = previous;
  }
}

/**
 * Binds a pool's connection callback to the request that asked for the connection. Pools hand
 * out connections from a queue, so the callback would otherwise run in whichever request
 * released a connection, and its queries would land in the wrong record.
 */
export function bindCallback<F extends AnyFunction>(callback: F): F {
  const store = contextStorage.getStore();
  const caller =
    pending ?? (store === UNRECORDED ? UNRECORDED_CALLER : activeContext() ? { ctx: store } : undefined);
  if (caller === undefined) return outsideAnyRecord(callback);
  const fromPoolQuery = caller === pending;
  return function glassboxBoundCallback(this: unknown, ...args: unknown[]) {
    const previous = inherited;
    // A pool's own query callback runs exactly one statement: it inherits the pool call's site.
    inherited = fromPoolQuery ? caller : undefined;
    try {
      return caller.ctx
        ? runInContext(caller.ctx, () => callback.apply(this, args))
        : contextStorage.exit(() => callback.apply(this, args));
    } finally {
      inherited = previous;
    }
  } as F;
}

/**
 * A callback asked for where nothing records (a request skipped while the context storage was
 * off): if a pool hands it over inside a recorded request, it runs as unrecorded, not in there.
 */
function outsideAnyRecord<F extends AnyFunction>(callback: F): F {
  return function glassboxUnboundCallback(this: unknown, ...args: unknown[]) {
    return contextStorage.getStore() === undefined
      ? callback.apply(this, args)
      : runInContext(UNRECORDED, () => callback.apply(this, args));
  } as F;
}

/**
 * Whether nothing would record a statement run now (a request glassbox does not record, or no
 * request and no background bucket taking events): a wrapper then calls the driver straight away,
 * before it allocates anything (its pool callbacks still go through bindCallback). This is every
 * skipped request's path under load, so it stays this small.
 */
export function nothingRecords(): boolean {
  return activeContext() === undefined;
}

/** A request glassbox does not record keeps its callbacks out of the requests it does. */
const UNRECORDED_CALLER: Caller = { ctx: UNRECORDED };

function stackDepth(): number {
  return activeContext()?.owner.limits.stackDepth ?? 10;
}

/**
 * Starts recording one statement into the running request (or the background bucket). Returns
 * undefined when nothing records (glassbox not started, or glassbox's own store querying).
 * `boundary` is the instrumentation's wrapper: the call site is looked for below it.
 */
export function beginQuery(start: QueryStart, boundary: AnyFunction): QueryEnd | undefined {
  const ctx = activeContext();
  if (ctx === undefined) return undefined;
  const started = performance.now();
  let callSite: CallSite;
  if (inherited?.callSite) {
    callSite = inherited.callSite;
    inherited = undefined;
  } else {
    callSite = captureCallSite(ctx.owner.limits.stackDepth, undefined, boundary);
    if (callSite.internal) return undefined;
  }
  const options = ctx.owner.config.sql;
  const event: SqlEvent = {
    at: ctx.now(),
    queryId: nextQueryId(),
    system: start.system,
    driver: start.driver,
    sql: start.sql,
    durationMs: 0,
  };
  if (start.sql.length > options.maxSqlLength) {
    event.sql = `${start.sql.slice(0, options.maxSqlLength)}…`;
    event.truncated = true;
  }
  if (options.captureParams) {
    const params = redactSqlParams(start.sql, start.params, ctx.owner.redact);
    if (params) {
      event.params = params.params;
      if (params.truncated) event.truncated = true;
    }
  }
  if (start.name) event.name = start.name;
  if (ctx.owner.instanceId) event.instance = ctx.owner.instanceId;
  if (start.method) event.method = start.method;
  if (start.database) event.database = start.database;
  if (start.server) event.server = start.server;
  if (callSite.frame) event.callSite = callSite;
  const began = performance.now();
  ctx.ownMs += began - started;
  let ended = false;
  return (outcome) => {
    if (ended) return;
    ended = true;
    const finished = performance.now();
    try {
      event.durationMs = Math.round((finished - began) * 1000) / 1000;
      if (outcome.rows !== undefined && Number.isFinite(outcome.rows)) event.rows = outcome.rows;
      if (outcome.error !== undefined && outcome.error !== null) event.error = errorMessage(outcome.error);
      ctx.emit("sql", event);
    } catch {
      // Recording must never reach the app.
    }
    ctx.ownMs += performance.now() - finished;
  };
}

/**
 * Starts a statement without ever throwing: instrumentations call this, then the driver.
 *
 * @example
 * const end = tryBeginQuery({ system: "sqlite", driver: "better-sqlite3", sql }, wrapper);
 */
export function tryBeginQuery(start: () => QueryStart, boundary: AnyFunction): QueryEnd | undefined {
  try {
    if (activeContext() === undefined) return undefined;
    return beginQuery(start(), boundary);
  } catch {
    return undefined;
  }
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const text = typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message;
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

/** Rows in a result: row arrays count their rows; write results their affected rows. */
export function rowCount(result: unknown): number | undefined {
  if (Array.isArray(result)) return result.length;
  if (result === null || typeof result !== "object") return undefined;
  const r = result as { rowCount?: unknown; rows?: unknown; affectedRows?: unknown; changes?: unknown };
  if (typeof r.rowCount === "number") return r.rowCount;
  if (Array.isArray(r.rows)) return r.rows.length;
  if (typeof r.affectedRows === "number") return r.affectedRows;
  if (typeof r.changes === "number") return r.changes;
  return undefined;
}
