import type { CallSite } from "../core/callsite.js";
import type { BaseEvent } from "../core/context.js";

/** A group of commands sent together: a pipeline, or a MULTI/EXEC transaction. */
export interface CacheBatch {
  kind: "pipeline" | "multi";
  /** Unique within the process: commands with the same id went out together. */
  id: number;
}

/** One command a cache client sent. Emitted by the ioredis and node-redis instrumentations. */
export interface CacheEvent extends BaseEvent {
  system: "redis";
  /** "ioredis" or "node-redis". */
  driver: string;
  /** Upper-case command name ("GET", "HGETALL", "JSON.GET"). */
  command: string;
  /** The first key the command names, as sent (key prefixes included), bounded. */
  key?: string;
  /**
   * The arguments after the command name: keys shown, values bounded (marked `…(+N bytes)`) and
   * masked when their key or hash field is secret-named.
   */
  args: string[];
  /** From the call to the reply: for a batch, from the batch's send to this command's reply. */
  durationMs: number;
  /** Reads only (GET, MGET, HGETALL, EXISTS, ...): how many of the keys asked for were found. */
  hits?: number;
  /** Reads only: keys asked for and not found (nil, empty hash/list/set, EXISTS 0). */
  misses?: number;
  /** A bounded preview of the reply, masked like the arguments. */
  result?: string;
  /** The error the driver gave the app (the app got exactly this error). */
  error?: string;
  batch?: CacheBatch;
  /** host:port or socket path. */
  server?: string;
  database?: number;
  callSite?: CallSite;
  /** Arguments or reply were cut to fit `cache.maxValueBytes` / the argument limit. */
  truncated?: boolean;
}

declare module "../core/context.js" {
  interface GlassboxEvents {
    cache: CacheEvent;
  }
}
