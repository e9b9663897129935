import type { CacheBatch } from "./cache-event.js";
import {
  type CommandTarget,
  finishCommand,
  newBatchId,
  type PendingCommand,
  startCommand,
} from "./redis-command.js";
import { sharedPatch } from "./shared-patch.js";

// ioredis is an optional peer: these are the few shapes glassbox reads (ioredis 5 and 6).
interface IoredisCommand {
  name: string;
  args: unknown[];
  promise: Promise<unknown>;
  /** Set by ioredis on commands queued between MULTI and EXEC of a pipeline. */
  inTransaction?: boolean;
  [SEEN]?: true;
}
interface IoredisClient {
  options?: { host?: string; port?: number; path?: string; db?: number };
  condition?: { select?: number } | null;
}
/** The object ioredis passes as `stream` for the commands of a pipeline or `multi()`. */
interface PipelineStream {
  isPipeline?: boolean;
}

const SEEN = Symbol("glassbox.ioredis.seen");
const DRIVER = "ioredis";

/** Per pipeline: its batch id, and the commands of its transaction waiting for EXEC's reply. */
interface BatchState {
  id: number;
  queued: Array<{ pending: PendingCommand; command: IoredisCommand; target: CommandTarget }>;
}
const batches = new WeakMap<object, BatchState>();

/**
 * Records every ioredis command (single, pipelined or in MULTI/EXEC, on a Redis client or a
 * Cluster's node connections) by wrapping `Redis.prototype.sendCommand`, the one door every
 * command passes through. Pass the module or the Redis class you import; returns the undo.
 * Idempotent: a second call shares the same patch.
 *
 * Why a patch and not ioredis's `ioredis:command` tracing channel: the channel replaces the
 * values of writes with "?" (glassbox shows them, bounded and masked), runs for queued commands
 * only once they are written (outside the request that sent them) and is missing in ioredis 5.
 *
 * @example
 * import Redis from "ioredis";
 * import { instrumentIoredis } from "glassbox";
 * const undo = instrumentIoredis(Redis);
 */
export function instrumentIoredis(ioredis: unknown): () => void {
  const proto = findPrototype(ioredis);
  if (!proto) return () => {};
  return sharedPatch(
    proto,
    "sendCommand",
    (original) =>
      function glassboxIoredisSendCommand(this: IoredisClient, ...args: unknown[]) {
        try {
          observe(this, args[0] as IoredisCommand | undefined, args[1] as PipelineStream | undefined);
        } catch {
          // Recording must never stop the command.
        }
        return original.apply(this, args);
      },
  );
}

function findPrototype(ioredis: unknown): object | undefined {
  const mod = ioredis as { default?: unknown; Redis?: unknown } | undefined;
  for (const candidate of [mod, mod?.Redis, mod?.default]) {
    const proto = (candidate as { prototype?: { sendCommand?: unknown } } | undefined)?.prototype;
    if (typeof proto?.sendCommand === "function") return proto;
  }
  return undefined;
}

function observe(
  client: IoredisClient,
  command: IoredisCommand | undefined,
  stream: PipelineStream | undefined,
): void {
  // A command passes here again when ioredis resends it (offline queue, reconnect): record it once.
  if (!command || typeof command.name !== "string" || command[SEEN]) return;
  command[SEEN] = true;
  const pending = startCommand();
  if (!pending || !command.promise || typeof command.promise.then !== "function") return;
  const target = targetOf(client);
  const batchState = stream?.isPipeline ? batchOf(stream) : undefined;
  const name = command.name.toLowerCase();
  if (batchState && name === "multi") return; // shown as the batch kind of the commands that follow
  if (batchState && name === "exec") {
    command.promise.then(
      (replies) => settleTransaction(batchState, { replies }),
      (error) => settleTransaction(batchState, { error }),
    );
    return;
  }
  const batch: CacheBatch | undefined = batchState
    ? { kind: command.inTransaction ? "multi" : "pipeline", id: batchState.id }
    : undefined;
  const args = Array.isArray(command.args) ? command.args : [];
  command.promise.then(
    (result) => {
      // Inside MULTI the reply is "QUEUED": the command's real reply comes with EXEC.
      if (batchState && command.inTransaction && result === "QUEUED") {
        batchState.queued.push({ pending, command, target });
        return;
      }
      finishCommand(pending, target, command.name, args, { result }, batch);
    },
    (error) => finishCommand(pending, target, command.name, args, { error }, batch),
  );
}

function batchOf(stream: object): BatchState {
  let state = batches.get(stream);
  if (!state) {
    state = { id: newBatchId(), queued: [] };
    batches.set(stream, state);
  }
  return state;
}

/** EXEC answered: each queued command gets its own reply (or EXEC's error). */
function settleTransaction(state: BatchState, outcome: { replies?: unknown; error?: unknown }): void {
  const queued = state.queued.splice(0);
  const replies = Array.isArray(outcome.replies) ? outcome.replies : undefined;
  const offset = replies ? replies.length - queued.length : 0;
  queued.forEach(({ pending, command, target }, i) => {
    const batch: CacheBatch = { kind: "multi", id: state.id };
    const args = Array.isArray(command.args) ? command.args : [];
    if (outcome.error !== undefined) {
      finishCommand(pending, target, command.name, args, { error: outcome.error }, batch);
      return;
    }
    if (!replies) {
      // EXEC answered nil: a WATCHed key changed and nothing ran.
      finishCommand(
        pending,
        target,
        command.name,
        args,
        { error: new Error("transaction aborted (WATCH)") },
        batch,
      );
      return;
    }
    const reply = replies[offset + i];
    finishCommand(
      pending,
      target,
      command.name,
      args,
      reply instanceof Error ? { error: reply } : { result: reply },
      batch,
    );
  });
}

function targetOf(client: IoredisClient): CommandTarget {
  const options = client.options ?? {};
  const target: CommandTarget = { driver: DRIVER };
  target.server = options.path ? options.path : `${options.host ?? "localhost"}:${options.port ?? 6379}`;
  const db = client.condition?.select ?? options.db;
  if (typeof db === "number") target.database = db;
  return target;
}
