/**
 * Errors and warnings a user can cause carry a stable code. Codes are never reused; each one is
 * documented in docs/errors.md (a test keeps the two in step).
 */

export const ERRORS = {
  GBX_ERR_CONFIG: "The glassbox options are invalid.",
  GBX_ERR_PRODUCTION: "glassbox refuses to start when NODE_ENV is production.",
  GBX_ERR_STORE_OPEN: "The glassbox store could not be opened.",
  GBX_ERR_PANEL_ID: "Two panels share one id.",
  GBX_ERR_OPENAPI: "The OpenAPI document given as the `openapi` option cannot be used.",
} as const;

export const WARNINGS = {
  GBXW001:
    "An HTML response was already compressed in a way glassbox cannot rewrite; the toolbar was not injected.",
  GBXW002: "A panel hook threw; the panel's data is missing from that record.",
  GBXW003: "Writing records to the store failed; they stay in memory.",
  GBXW004: "The write queue was full; the oldest queued records were dropped.",
  GBXW005: "An instrumentation hook threw; the driver call itself was not affected.",
  GBXW006: "A background record could not be built.",
  GBXW007:
    "The Hono app does not run on @hono/node-server (no node request/response in c.env); glassbox passes its requests through unrecorded.",
  GBXW008: "An alert rule threw; its alerts are missing from that record, the other rules still ran.",
  GBXW009: "The toolbar or dashboard script is missing: the UI of this glassbox checkout is not built.",
  GBXW010:
    "The app is busy: glassbox records a sample of requests to stay within its overhead budget and counts the rest.",
} as const;

export type ErrorCode = keyof typeof ERRORS;
export type WarningCode = keyof typeof WARNINGS;

/** An error the user can fix: `code` is stable, `message` says what is wrong and how to fix it. */
export class GlassboxError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${message} [${code}]`, options);
    this.name = "GlassboxError";
    this.code = code;
  }
}

export interface Logger {
  warn(message: string): void;
}

/** Emits each warning code at most once per logger, so a failing panel cannot flood the log. */
export class Warner {
  private readonly seen = new Set<string>();
  constructor(private readonly logger: Logger) {}

  warn(code: WarningCode | string, detail: string, onceKey: string = code): void {
    if (this.seen.has(onceKey)) return;
    this.seen.add(onceKey);
    try {
      this.logger.warn(`glassbox ${code}: ${detail}`);
    } catch {
      // A broken logger must not break the app.
    }
  }
}
