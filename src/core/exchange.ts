import type { IncomingMessage } from "node:http";
import { BodyCollector } from "./body-preview.js";
import type { RequestSnapshot } from "./context.js";

/** The path of a request URL, without its query string. */
export function pathOf(url: string | undefined): string {
  if (!url) return "/";
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

/** A plain snapshot of what arrived. Holds no reference to the live request object. */
export function snapshotRequest(req: IncomingMessage, clientIp: string | undefined): RequestSnapshot {
  const url = req.url ?? "/";
  const snapshot: RequestSnapshot = {
    method: req.method ?? "GET",
    url,
    path: pathOf(url),
    headers: req.headers,
    httpVersion: req.httpVersion,
  };
  const remote = req.socket?.remoteAddress;
  if (remote) snapshot.remoteAddress = remote;
  const ip = clientIp ?? remote;
  if (ip) snapshot.clientIp = ip;
  if ((req.socket as { encrypted?: boolean } | undefined)?.encrypted === true) snapshot.tls = true;
  return snapshot;
}

/** Whether a request announces a body (so watching for one is worth a patch). */
export function hasBody(req: IncomingMessage): boolean {
  const len = req.headers["content-length"];
  return (len !== undefined && len !== "0") || req.headers["transfer-encoding"] !== undefined;
}

/**
 * Collects the request body as the HTTP parser hands it over (Readable#push), so the app's own
 * reading is untouched whether it reads with 'data', read(), pipes or never reads at all.
 */
export function watchRequestBody(req: IncomingMessage, limit: number): BodyCollector {
  const collector = new BodyCollector(limit);
  const push = req.push;
  req.push = function glassboxPush(this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding) {
    try {
      collector.add(chunk, encoding);
    } catch {
      // Never let preview bookkeeping break the app's stream.
    }
    return push.call(this, chunk, encoding);
  };
  return collector;
}

/** Reads the client IP from X-Forwarded-For when trusted (node:http adapter), else the socket. */
export function forwardedIp(req: IncomingMessage, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const xff = req.headers["x-forwarded-for"];
    const first = (Array.isArray(xff) ? xff[0] : xff)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return req.socket?.remoteAddress;
}
