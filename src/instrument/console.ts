import { format } from "node:util";
import { activeContext } from "../core/context.js";
import { refCounted } from "./guard.js";
import { emitLog, type LogLevel } from "./log-event.js";

const METHODS: Record<string, LogLevel> = {
  log: "info",
  info: "info",
  debug: "debug",
  trace: "trace",
  warn: "warn",
  error: "error",
};

/** Records every console.* call into the running request (or the background bucket). */
export const instrumentConsole = refCounted(() => {
  const undo: (() => void)[] = [];
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const [method, level] of Object.entries(METHODS)) {
    const original = target[method];
    if (typeof original !== "function") continue;
    const wrapped = function glassboxConsole(this: unknown, ...args: unknown[]) {
      const ctx = activeContext();
      if (ctx) emitLog(ctx, { level, source: "console", message: () => format(...args) });
      return original.apply(this, args);
    };
    target[method] = wrapped;
    undo.push(() => {
      if (target[method] === wrapped) target[method] = original;
    });
  }
  return () => {
    for (const u of undo) u();
  };
});
