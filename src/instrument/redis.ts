import type { CacheBatch } from "./cache-event.js";
import { type CommandTarget, finishCommand, newBatchId, startCommand, toText } from "./redis-command.js";
import { sharedPatch } from "./shared-patch.js";

// node-redis is an optional peer: these are the few shapes glassbox reads (node-redis 5 and 6).
interface NodeRedisClient {
  options?: { socket?: { host?: string; port?: number; path?: string }; database?: number };
}
/** What node-redis hands `_executePipeline` / `_executeMulti`: one entry per queued command. */
interface QueuedCommand {
  args: unknown[];
}

const DRIVER = "node-redis";

/**
 * Records every node-redis command. Single commands all pass through
 * `RedisClient.prototype.sendCommand`; pipelines and MULTI/EXEC go to the socket queue from
 * `_executePipeline` / `_executeMulti`, so those two are wrapped as well. Clients made by
 * `createClient`, pools and cluster node clients share the one prototype. Pass the `redis` (or
 * `@redis/client`) module, the RedisClient class or a client; returns the undo. Idempotent.
 *
 * Why a patch and not node-redis's `node-redis:command` tracing channel: the channel replaces
 * written values with "?" and does not exist before node-redis 5.
 *
 * @example
 * import * as redis from "redis";
 * import { instrumentRedis } from "glassbox";
 * const undo = instrumentRedis(redis);
 */
export function instrumentRedis(redis: unknown): () => void {
  const proto = findPrototype(redis);
  if (!proto) return () => {};
  const undo = [
    sharedPatch(
      proto,
      "sendCommand",
      (original) =>
        function glassboxRedisSendCommand(this: NodeRedisClient, ...args: unknown[]) {
          const command = args[0];
          const pending = Array.isArray(command) && command.length ? startCommand() : undefined;
          const promise = original.apply(this, args);
          if (pending && isThenable(promise)) {
            const list = command as unknown[];
            const target = targetOf(this);
            promise.then(
              (result) => finishCommand(pending, target, toText(list[0]), list.slice(1), { result }),
              (error) => finishCommand(pending, target, toText(list[0]), list.slice(1), { error }),
            );
          }
          return promise;
        },
    ),
    patchBatch(proto, "_executePipeline", "pipeline"),
    patchBatch(proto, "_executeMulti", "multi"),
  ];
  return () => {
    for (const u of undo) u();
  };
}

function findPrototype(redis: unknown): object | undefined {
  const mod = redis as { RedisClient?: unknown; default?: { RedisClient?: unknown } } | undefined;
  for (const candidate of [mod?.RedisClient, mod?.default?.RedisClient, mod]) {
    const proto = (candidate as { prototype?: { sendCommand?: unknown } } | undefined)?.prototype;
    if (typeof proto?.sendCommand === "function") return proto;
  }
  // A client instance: the class prototype is the one that owns sendCommand.
  let proto = redis && typeof redis === "object" ? Object.getPrototypeOf(redis) : undefined;
  while (proto && proto !== Object.prototype) {
    if (Object.hasOwn(proto, "sendCommand") && Object.hasOwn(proto, "_executeMulti")) return proto;
    proto = Object.getPrototypeOf(proto);
  }
  return undefined;
}

/** Pipelines and transactions: one event per command, each with its own reply from the batch's. */
function patchBatch(proto: object, method: string, kind: CacheBatch["kind"]): () => void {
  return sharedPatch(
    proto,
    method,
    (original) =>
      function glassboxRedisBatch(this: NodeRedisClient, ...args: unknown[]) {
        const commands = args[0];
        const pending = Array.isArray(commands) && commands.length ? startCommand() : undefined;
        const promise = original.apply(this, args);
        if (pending && isThenable(promise)) {
          const target = targetOf(this);
          const batch: CacheBatch = { kind, id: newBatchId() };
          const list = commands as QueuedCommand[];
          promise.then(
            (replies) =>
              list.forEach((command, i) => {
                const reply = Array.isArray(replies) ? replies[i] : undefined;
                const outcome = reply instanceof Error ? { error: reply } : { result: reply };
                finishEach(pending, target, command, outcome, batch);
              }),
            (error) => {
              // node-redis rejects a pipeline with its first error and does not say which command
              // failed, so every command of it carries the error, marked as the batch's.
              const shown = kind === "pipeline" ? `pipeline rejected: ${errorMessage(error)}` : error;
              for (const command of list) finishEach(pending, target, command, { error: shown }, batch);
            },
          );
        }
        return promise;
      },
  );
}

function finishEach(
  pending: NonNullable<ReturnType<typeof startCommand>>,
  target: CommandTarget,
  command: QueuedCommand,
  outcome: { result?: unknown; error?: unknown },
  batch: CacheBatch,
): void {
  const args = Array.isArray(command?.args) ? command.args : [];
  if (args.length) finishCommand(pending, target, toText(args[0]), args.slice(1), outcome, batch);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isThenable(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | undefined)?.then === "function";
}

function targetOf(client: NodeRedisClient): CommandTarget {
  const target: CommandTarget = { driver: DRIVER };
  try {
    const options = client.options;
    const socket = options?.socket;
    target.server = socket?.path ? socket.path : `${socket?.host ?? "localhost"}:${socket?.port ?? 6379}`;
    if (typeof options?.database === "number") target.database = options.database;
  } catch {
    // A client whose options cannot be read is still recorded, without its address.
  }
  return target;
}
