import { captureCallSite, type StackFrame } from "../core/callsite.js";
import type { BaseEvent, RequestContext } from "../core/context.js";
import { redactText, redactValue } from "../core/redact.js";

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal";

export interface LogEvent extends BaseEvent {
  level: LogLevel;
  message: string;
  source: "console" | "pino" | "winston" | "glassbox";
  /** Epoch milliseconds. */
  time: number;
  logger?: string;
  /** Structured fields of the record (pino/winston), masked. */
  data?: unknown;
  callSite?: StackFrame;
  truncated?: boolean;
}

declare module "../core/context.js" {
  interface GlassboxEvents {
    log: LogEvent;
  }
}

const MAX_MESSAGE = 4096;
let inside = false;

/**
 * Adds one log record to a context. Formats the message lazily and guards against re-entry
 * (a logger that logs while glassbox records it would otherwise loop).
 */
export function emitLog(
  ctx: RequestContext,
  entry: {
    level: LogLevel;
    source: LogEvent["source"];
    message: () => string;
    data?: unknown;
    logger?: string;
  },
): void {
  if (inside) return;
  inside = true;
  try {
    const rules = ctx.owner.redact;
    let message = entry.message();
    let truncated = false;
    if (message.length > MAX_MESSAGE) {
      message = message.slice(0, MAX_MESSAGE);
      truncated = true;
    }
    const event: LogEvent = {
      at: ctx.now(),
      time: Date.now(),
      level: entry.level,
      source: entry.source,
      message: redactText(message, rules),
    };
    if (truncated) event.truncated = true;
    if (entry.logger) event.logger = entry.logger;
    if (entry.data !== undefined) event.data = redactValue(entry.data, rules);
    const site = captureCallSite(1).frame;
    if (site) event.callSite = site;
    ctx.emit("log", event);
  } catch {
    // Recording a log line must never break the log call itself.
  } finally {
    inside = false;
  }
}
