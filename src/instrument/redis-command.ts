/**
 * What the ioredis and node-redis instrumentations share: turning one Redis command and its
 * reply into a bounded, masked CacheEvent with hit/miss counts, recorded into the context that
 * was running when the app sent the command.
 */
import { type CallSite, captureCallSite } from "../core/callsite.js";
import { activeContext, type RequestContext } from "../core/context.js";
import { isSecretKey, type RedactRules, redactValue } from "../core/redact.js";
import type { CacheBatch, CacheEvent } from "./cache-event.js";

/** Arguments kept per command; the rest are counted in a final marker. */
const MAX_ARGS = 32;
/** Items of an array/hash reply kept before it is turned into preview text. */
const MAX_ITEMS = 50;
const DEFAULT_MAX_VALUE_BYTES = 256;

/** Where a command went. */
export interface CommandTarget {
  driver: string;
  server?: string;
  database?: number;
}

/** A command seen leaving the app, waiting for its reply. */
export interface PendingCommand {
  readonly ctx: RequestContext;
  /** ms since the context started, when the app sent the command. */
  readonly at: number;
  readonly callSite: CallSite;
}

/**
 * Notes when and where the app sent a command, in the context running now. Must be called
 * synchronously in the app's call (the call site and context are read from the stack).
 */
export function startCommand(): PendingCommand | undefined {
  const ctx = activeContext();
  if (!ctx) return undefined;
  return { ctx, at: ctx.now(), callSite: captureCallSite(ctx.owner.limits.stackDepth) };
}

let lastBatchId = 0;
/** A new process-unique id for a pipeline or transaction. */
export function newBatchId(): number {
  lastBatchId = (lastBatchId + 1) % Number.MAX_SAFE_INTEGER;
  return lastBatchId;
}

/** Records a command once its reply (or error) is known. Never throws. */
export function finishCommand(
  pending: PendingCommand,
  target: CommandTarget,
  command: string,
  args: readonly unknown[],
  outcome: { result?: unknown; error?: unknown },
  batch?: CacheBatch,
): void {
  try {
    const { ctx } = pending;
    const name = command.toUpperCase();
    const rules = ctx.owner.redact;
    const max = maxValueBytes(ctx);
    const state = { truncated: false };
    const secretKey = argsHaveSecretKey(name, args, rules);
    const event: CacheEvent = {
      at: pending.at,
      system: "redis",
      driver: target.driver,
      command: name,
      args: previewArgs(name, args, rules, max, state),
      durationMs: Math.max(0, ctx.now() - pending.at),
    };
    const key = firstKey(name, args);
    if (key !== undefined) event.key = bound(toText(key), max, state);
    if (outcome.error !== undefined) {
      event.error = errorText(outcome.error);
    } else {
      const counted = countReads(name, args, outcome.result);
      if (counted) {
        event.hits = counted.hits;
        event.misses = counted.misses;
      }
      event.result = previewReply(outcome.result, secretKey, rules, max, state);
    }
    if (batch) event.batch = batch;
    if (target.server) event.server = target.server;
    if (target.database !== undefined) event.database = target.database;
    if (pending.callSite.frame) event.callSite = pending.callSite;
    if (state.truncated) event.truncated = true;
    ctx.emit("cache", event);
  } catch {
    // Recording must never affect the command or its reply.
  }
}

function maxValueBytes(ctx: RequestContext): number {
  const configured = (ctx.owner.config as { cache?: { maxValueBytes?: number } }).cache?.maxValueBytes;
  return typeof configured === "number" && configured > 0 ? configured : DEFAULT_MAX_VALUE_BYTES;
}

// ---------------------------------------------------------------------------------------------
// Which arguments are keys and which are values

/** Commands whose every argument is a key. */
const ALL_KEYS = new Set([
  "MGET",
  "DEL",
  "UNLINK",
  "EXISTS",
  "TOUCH",
  "WATCH",
  "SINTER",
  "SUNION",
  "SDIFF",
  "PFCOUNT",
]);
/** Commands without a key. */
// biome-ignore format: a word list reads better packed.
const NO_KEY = new Set([
  "PING", "ECHO", "INFO", "AUTH", "HELLO", "SELECT", "FLUSHALL", "FLUSHDB", "DBSIZE", "TIME", "CLIENT",
  "CONFIG", "COMMAND", "MULTI", "EXEC", "DISCARD", "QUIT", "RESET", "SCRIPT", "KEYS", "SCAN",
  "PUBLISH", "SPUBLISH", "SUBSCRIBE", "PSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "FUNCTION", "MONITOR",

]);
/** Commands with one stored value at a fixed position (the rest are options: EX 60, NX, ...). */
// biome-ignore format: a word list reads better packed.
const ONE_VALUE_AT: Record<string, number> = {
  SET: 1, SETNX: 1, GETSET: 1, APPEND: 1, SETEX: 2, PSETEX: 2, SETRANGE: 2, LSET: 2, PUBLISH: 1, SPUBLISH: 1,

};
/** Commands whose arguments from this position on are all stored values. */
const VALUES_FROM: Record<string, number> = { LPUSH: 1, RPUSH: 1, LPUSHX: 1, RPUSHX: 1, SADD: 1, SREM: 1 };
/** key value key value ... */
const PAIRS = new Set(["MSET", "MSETNX"]);
/** key field value field value ... */
const HASH_SETS = new Set(["HSET", "HMSET", "HSETNX"]);

type Role = { kind: "key" } | { kind: "value"; guard?: unknown } | { kind: "arg" };

function roleOf(name: string, i: number, args: readonly unknown[]): Role {
  if (ALL_KEYS.has(name)) return { kind: "key" };
  if (PAIRS.has(name)) return i % 2 === 0 ? { kind: "key" } : { kind: "value", guard: args[i - 1] };
  if (i === 0) return NO_KEY.has(name) ? { kind: "arg" } : { kind: "key" };
  if (HASH_SETS.has(name)) return i % 2 === 0 ? { kind: "value", guard: args[i - 1] } : { kind: "arg" };
  if (ONE_VALUE_AT[name] === i) return { kind: "value" };
  const from = VALUES_FROM[name];
  if (from !== undefined && i >= from) return { kind: "value" };
  return { kind: "arg" };
}

function firstKey(name: string, args: readonly unknown[]): unknown {
  if (NO_KEY.has(name) && !ALL_KEYS.has(name)) return undefined;
  if (name === "EVAL" || name === "EVALSHA" || name === "FCALL")
    return Number(args[1]) > 0 ? args[2] : undefined;
  return args[0];
}

function argsHaveSecretKey(name: string, args: readonly unknown[], rules: RedactRules): boolean {
  const n = Math.min(args.length, MAX_ARGS);
  for (let i = 0; i < n; i++) {
    if (roleOf(name, i, args).kind === "key" && isSecretKey(toText(args[i]), rules)) return true;
  }
  return false;
}

/** Credentials sent as command arguments: AUTH's, HELLO ... AUTH user pass, CONFIG SET *pass*. */
function isCredential(name: string, i: number, args: readonly unknown[]): boolean {
  if (name === "AUTH") return true;
  if (name === "HELLO") {
    for (let j = 0; j < i; j++) if (toText(args[j]).toUpperCase() === "AUTH") return true;
    return false;
  }
  if (name === "CONFIG") return i >= 2 && /pass|secret|token|key/i.test(toText(args[i - 1]));
  return false;
}

function previewArgs(
  name: string,
  args: readonly unknown[],
  rules: RedactRules,
  max: number,
  state: { truncated: boolean },
): string[] {
  const out: string[] = [];
  const n = Math.min(args.length, MAX_ARGS);
  const keySecret = argsHaveSecretKey(name, args, rules);
  for (let i = 0; i < n; i++) {
    const role = roleOf(name, i, args);
    if (isCredential(name, i, args)) {
      out.push(rules.replacement);
      continue;
    }
    if (role.kind === "value") {
      const masked =
        (keySecret && !PAIRS.has(name)) ||
        (role.guard !== undefined && isSecretKey(toText(role.guard), rules));
      out.push(masked ? rules.replacement : bound(toText(args[i]), max, state));
      continue;
    }
    out.push(bound(toText(args[i]), max, state));
  }
  if (args.length > MAX_ARGS) {
    state.truncated = true;
    out.push(`…(+${args.length - MAX_ARGS} more arguments)`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hits and misses

/** Reads of one key: nil or an empty hash/list/set is a miss. */
// biome-ignore format: a word list reads better packed.
const SINGLE_READS = new Set([
  "GET", "GETEX", "GETDEL", "HGET", "HGETALL", "LINDEX", "ZSCORE", "SMEMBERS", "HKEYS", "HVALS", "LRANGE",
  "ZRANGE", "JSON.GET",

]);
/** Reads of several keys or fields: each nil item is a miss. */
const ITEM_READS = new Set(["MGET", "HMGET", "JSON.MGET"]);
/** Reads answering 1 (found) or 0. */
const FLAG_READS = new Set(["HEXISTS", "SISMEMBER"]);

/** Hits and misses of a read command's reply; undefined for commands that are not reads. */
export function countReads(
  name: string,
  args: readonly unknown[],
  result: unknown,
): { hits: number; misses: number } | undefined {
  if (result === "QUEUED") return undefined; // inside MULTI: the real reply comes with EXEC
  if (SINGLE_READS.has(name)) return isEmpty(result) ? { hits: 0, misses: 1 } : { hits: 1, misses: 0 };
  if (FLAG_READS.has(name)) {
    const found = result === 1 || result === true || result === "1";
    return { hits: found ? 1 : 0, misses: found ? 0 : 1 };
  }
  if (ITEM_READS.has(name) && Array.isArray(result)) {
    let hits = 0;
    for (const item of result) if (item !== null && item !== undefined) hits++;
    return { hits, misses: result.length - hits };
  }
  if (name === "EXISTS") {
    const found = Number(result);
    if (!Number.isFinite(found)) return undefined;
    return { hits: found, misses: Math.max(0, args.length - found) };
  }
  return undefined;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (value instanceof Map || value instanceof Set) return value.size === 0;
  if (typeof value === "object" && !ArrayBuffer.isView(value)) return Object.keys(value).length === 0;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Previews

function previewReply(
  result: unknown,
  secretKey: boolean,
  rules: RedactRules,
  max: number,
  state: { truncated: boolean },
): string {
  if (result === null || result === undefined) return "(nil)";
  if (secretKey) return rules.replacement;
  if (typeof result !== "object" || ArrayBuffer.isView(result)) return bound(toText(result), max, state);
  let json: string;
  try {
    json = JSON.stringify(redactValue(shrink(result, state), rules), jsonReplacer) ?? "";
  } catch {
    json = Object.prototype.toString.call(result);
  }
  return bound(json, max, state);
}

/** Keeps at most MAX_ITEMS items of an array, Map or object, so a huge reply is never copied whole. */
function shrink(value: object, state: { truncated: boolean }): unknown {
  if (Array.isArray(value)) {
    if (value.length <= MAX_ITEMS) return value;
    state.truncated = true;
    return [...value.slice(0, MAX_ITEMS), `…(+${value.length - MAX_ITEMS} more)`];
  }
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  if (entries.length > MAX_ITEMS) state.truncated = true;
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries.slice(0, MAX_ITEMS)) out[toText(k)] = v;
  return out;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value && typeof value === "object" && (value as { type?: string }).type === "Buffer")
    return bufferText(Buffer.from((value as { data: number[] }).data));
  return value;
}

/** A command argument or reply item as text; binary data is described, not dumped. */
export function toText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "(nil)";
  if (Buffer.isBuffer(value)) return bufferText(value);
  if (ArrayBuffer.isView(value)) return `<${value.byteLength} bytes>`;
  if (value instanceof Error) return value.message;
  return String(value);
}

function bufferText(buffer: Buffer): string {
  const head = buffer.subarray(0, 1024).toString("utf8");
  // Printable UTF-8 is shown as text; anything with control or invalid bytes is binary.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control bytes is the point.
  return /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(head)
    ? `<binary ${buffer.length} bytes>`
    : buffer.toString("utf8");
}

/** Cuts text to `max` UTF-8 bytes and says how much was cut. */
export function bound(text: string, max: number, state: { truncated: boolean }): string {
  if (text.length <= max / 4) return text; // fast path: cannot exceed max bytes
  const bytes = Buffer.byteLength(text);
  if (bytes <= max) return text;
  state.truncated = true;
  let cut = Buffer.from(text.slice(0, max)).subarray(0, max).toString("utf8");
  if (cut.endsWith("\ufffd")) cut = cut.slice(0, -1);
  return `${cut}…(+${bytes - Buffer.byteLength(cut)} bytes)`;
}

function errorText(error: unknown): string {
  if (error instanceof Error)
    return `${error.name && error.name !== "Error" ? `${error.name}: ` : ""}${error.message}`;
  return toText(error);
}
