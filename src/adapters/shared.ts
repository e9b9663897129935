import type { IncomingMessage, ServerResponse } from "node:http";
import type { Glassbox } from "../core/glassbox.js";
import { type OwnRequest, readNodeBody, sendOwnResponse } from "../server/response.js";
import { handleOwnRoute } from "../server/routes.js";

/** A node:http request as glassbox's own routes take it (the body is read only if a route needs it). */
export function ownRequest(req: IncomingMessage, clientIp: string | undefined): OwnRequest {
  return {
    method: req.method ?? "GET",
    url: req.url ?? "/",
    headers: req.headers,
    clientIp,
    readBody: () => readNodeBody(req),
  };
}

/**
 * Serves a glassbox route on a node:http request/response pair, or calls `next` (the app's own
 * 404) when the client may not see glassbox. Used by every adapter that runs on node:http.
 * Settles once glassbox has answered, or as `next()`'s result does (a rejection included).
 */
export function serveOwnRoute(
  gb: Glassbox,
  req: IncomingMessage,
  res: ServerResponse,
  clientIp: string | undefined,
  next: () => unknown,
): Promise<unknown> {
  return handleOwnRoute(gb, ownRequest(req, clientIp)).then(
    (response) => (response ? sendOwnResponse(res, response) : next()),
    () => next(),
  );
}

export { pathOf } from "../core/exchange.js";

/** Reads a framework's version from its package.json, when it can be found. */
export function packageVersion(load: () => { version?: string }): string | undefined {
  try {
    return load().version;
  } catch {
    return undefined;
  }
}
