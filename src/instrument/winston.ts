import { activeContext } from "../core/context.js";
import { patchMethod } from "./guard.js";
import { emitLog, type LogLevel } from "./log-event.js";

interface WinstonModule {
  Logger?: { prototype: object };
}

const LEVELS: Record<string, LogLevel> = {
  error: "error",
  warn: "warn",
  info: "info",
  http: "info",
  verbose: "debug",
  debug: "debug",
  silly: "trace",
};

/**
 * Records winston log entries by wrapping `Logger.prototype.write`, the one door every winston
 * logger's entries pass through. Pass the module you import, or let glassbox find the app's.
 *
 * @example
 * import winston from "winston";
 * import { instrumentWinston } from "glassbox";
 * instrumentWinston(winston);
 */
export function instrumentWinston(winston: unknown): () => void {
  const proto = (winston as WinstonModule | undefined)?.Logger?.prototype;
  if (!proto) return () => {};
  return patchMethod(
    proto,
    "write",
    (original) =>
      function glassboxWinstonWrite(this: unknown, ...args: unknown[]) {
        const info = args[0] as Record<string, unknown> | undefined;
        const ctx = activeContext();
        if (ctx && info && typeof info === "object") {
          const { level, message, ...rest } = info;
          emitLog(ctx, {
            level: LEVELS[String(level)] ?? "info",
            source: "winston",
            message: () => (typeof message === "string" ? message : (JSON.stringify(message) ?? "")),
            ...(Object.keys(rest).length ? { data: rest } : {}),
          });
        }
        return original.apply(this, args);
      },
  );
}
