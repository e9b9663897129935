import type { RequestContext } from "./context.js";
import type { ErrorSnapshot } from "./record.js";
import { redactText } from "./redact.js";

const MAX_MESSAGE = 2000;

/** A plain, bounded, masked copy of a thrown value. */
export function snapshotError(error: unknown, ctx: RequestContext): ErrorSnapshot {
  const rules = ctx.owner.redact;
  const e = error instanceof Error ? error : undefined;
  const snapshot: ErrorSnapshot = {
    name: e?.name ?? typeof error,
    message: redactText(String(e?.message ?? error).slice(0, MAX_MESSAGE), rules),
  };
  if (e?.stack)
    snapshot.stack = redactText(
      e.stack
        .split("\n")
        .slice(0, ctx.owner.limits.stackDepth + 1)
        .join("\n"),
      rules,
    );
  const status =
    (error as { status?: unknown; statusCode?: unknown } | undefined)?.status ??
    (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status === "number") snapshot.status = status;
  return snapshot;
}

/** Keeps the first error a handler threw for this request; later ones are usually the same error re-thrown. */
export function recordError(ctx: RequestContext | undefined, error: unknown): void {
  if (!ctx || ctx.error) return;
  try {
    ctx.error = snapshotError(error, ctx);
  } catch {
    // An exotic thrown value must not break the app's error handling.
  }
}
