import type { ServerResponse } from "node:http";

/** A response from one of glassbox's own routes, framework-neutral. */
export interface OwnResponse {
  status: number;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** A long-lived stream (server-sent events): called with a writer; returns the cleanup. */
  stream?: (write: (chunk: string) => void) => () => void;
}

/** The request side of one of glassbox's own routes, framework-neutral. */
export interface OwnRequest {
  method: string;
  /** The full URL path and query, as received (starts with the prefix). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  clientIp: string | undefined;
  /** Reads the request body (for POST endpoints), bounded by the caller. */
  readBody?: () => Promise<string>;
}

const SECURITY_HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

export function json(status: number, value: unknown): OwnResponse {
  return {
    status,
    headers: { ...SECURITY_HEADERS, "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify(value),
  };
}

export function text(
  status: number,
  body: string | Buffer,
  contentType: string,
  extra: Record<string, string> = {},
): OwnResponse {
  return { status, headers: { ...SECURITY_HEADERS, "content-type": contentType, ...extra }, body };
}

/** Writes an OwnResponse to a node:http response (every adapter on Node uses this). */
export function sendOwnResponse(res: ServerResponse, response: OwnResponse): void {
  res.statusCode = response.status;
  for (const [k, v] of Object.entries(response.headers)) res.setHeader(k, v);
  if (response.stream) {
    res.flushHeaders();
    const stop = response.stream((chunk) => res.write(chunk));
    res.on("close", stop);
    return;
  }
  res.end(response.body);
}

/** Reads a node request body up to `limit` bytes; rejects past it. */
export function readNodeBody(req: NodeJS.ReadableStream, limit = 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error(`request body over ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
