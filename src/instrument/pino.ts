import { tracingChannel } from "node:diagnostics_channel";
import { activeContext } from "../core/context.js";
import { refCounted } from "./guard.js";
import { emitLog, type LogLevel } from "./log-event.js";

interface PinoAsJsonContext {
  instance?: { levels?: { labels?: Record<number, string> } };
  arguments?: ArrayLike<unknown>;
}

const LEVELS = new Set<LogLevel>(["trace", "debug", "info", "warn", "error", "fatal"]);

/**
 * Records pino log lines through the `pino_asJson` diagnostics channel pino publishes: no patch,
 * and nothing at all is done for pino when glassbox is not subscribed.
 */
export const instrumentPino = refCounted(() => {
  const channel = tracingChannel<unknown, PinoAsJsonContext>("pino_asJson");
  const handlers = {
    start(message: PinoAsJsonContext) {
      const ctx = activeContext();
      if (!ctx) return;
      const args = message.arguments ?? [];
      const obj = args[0] as Record<string, unknown> | undefined;
      const msg = args[1];
      const num = Number(args[2]);
      const label = message.instance?.levels?.labels?.[num];
      const level: LogLevel =
        label && LEVELS.has(label as LogLevel) ? (label as LogLevel) : num >= 50 ? "error" : "info";
      const data = obj && typeof obj === "object" && Object.keys(obj).length ? obj : undefined;
      emitLog(ctx, { level, source: "pino", message: () => (msg === undefined ? "" : String(msg)), data });
    },
    end() {},
    asyncStart() {},
    asyncEnd() {},
    error() {},
  };
  channel.subscribe(handlers);
  return () => channel.unsubscribe(handlers);
});
