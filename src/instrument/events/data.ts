import type { RequestContext } from "../../core/context.js";
import { redactValue } from "../../core/redact.js";

const DEFAULT_MAX_DATA_BYTES = 1024;

/** What is kept of an event's data: masked, and cut to `events.maxDataBytes` when too large. */
export interface BoundedData {
  data: unknown;
  truncated?: boolean;
}

/**
 * A masked, JSON-safe copy of `value` that fits `events.maxDataBytes` once serialized. Secret-named
 * keys are masked; functions, symbols and bigints become text; too large a value is kept as the
 * start of its JSON text followed by "…(truncated)".
 *
 * @example
 * boundedData(ctx, { user: "ada", password: "x" }); // { data: { user: "ada", password: "[redacted]" } }
 */
export function boundedData(ctx: RequestContext, value: unknown): BoundedData {
  const max = maxDataBytes(ctx);
  let text: string | undefined;
  try {
    text = JSON.stringify(redactValue(value, ctx.owner.redact), (_key, v: unknown) => {
      if (typeof v === "bigint") return v.toString();
      if (typeof v === "function") return `[function ${v.name || "anonymous"}]`;
      if (typeof v === "symbol") return v.toString();
      return v;
    });
  } catch {
    text = JSON.stringify(Object.prototype.toString.call(value));
  }
  if (text === undefined) return { data: null };
  if (Buffer.byteLength(text) <= max) return { data: JSON.parse(text) as unknown };
  let cut = Buffer.from(text.slice(0, max)).subarray(0, max).toString("utf8");
  if (cut.endsWith("\ufffd")) cut = cut.slice(0, -1);
  return { data: `${cut}…(truncated)`, truncated: true };
}

function maxDataBytes(ctx: RequestContext): number {
  const configured = (ctx.owner.config as { events?: { maxDataBytes?: number } }).events?.maxDataBytes;
  return typeof configured === "number" && configured > 0 ? configured : DEFAULT_MAX_DATA_BYTES;
}
