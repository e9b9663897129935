import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { BodyCollector, isTextual } from "./body-preview.js";
import {
  cspNonce,
  type Encoding,
  injectCompressed,
  injectInto,
  rewritableEncoding,
  toolbarSnippet,
} from "./inject.js";

export interface ResponseHookOptions {
  /** The client may see glassbox: headers and toolbar allowed. */
  visible: boolean;
  inject: boolean;
  prefix: string;
  recordId: string;
  bodyPreviewBytes: number;
  injectMaxBytes: number;
  isHead: boolean;
  /** True when the adapter injected the toolbar into the body itself (see Glassbox.injectToolbar). */
  alreadyInjected?: () => boolean;
  /** Called when the headers are about to be written; returns the Server-Timing value to add. */
  serverTiming?: () => string | undefined;
  warn(code: string, message: string): void;
}

/** What the hook saw, read when the request is finished. */
export interface ResponseObservation {
  headers?: OutgoingHttpHeaders;
  body?: BodyCollector;
  bodyContentType?: string;
  injection?: "injected" | "skipped";
  /** Milliseconds the hook spent deciding and adding glassbox's headers (the overhead budget's). */
  ownMs: number;
}

type Loose = (this: ServerResponse, ...args: unknown[]) => unknown;
type Mode = "pass" | "known-length" | "if-single-end" | "compressed";
type Callback = (error?: Error | null) => void;
type WriteArgs = [chunk: unknown, encoding?: BufferEncoding | Callback, cb?: Callback];

const NO_BODY_STATUS = (s: number) => s === 204 || s === 304 || (s >= 100 && s < 200);

/**
 * Watches one node:http response, whatever framework writes it: adds glassbox's headers, keeps a
 * body preview, and injects the toolbar into HTML. Every framework ends in ServerResponse, so
 * this is the one place injection lives. Streams of unknown length pass through untouched.
 */
export function hookResponse(res: ServerResponse, options: ResponseHookOptions): ResponseObservation {
  const seen: ResponseObservation = { ownMs: 0 };
  // Loosely typed originals: glassbox forwards whatever overload the caller used.
  const writeHead = res.writeHead as unknown as Loose;
  const write = res.write as unknown as Loose;
  const end = res.end as unknown as Loose;
  let mode: Mode = "pass";
  let encoding: Encoding | undefined;
  let snippet: Buffer | undefined;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let decided = false;

  /** Decides once, before the first header or body byte leaves, what this response gets. */
  const ensureDecided = (status: number, rawHeaderList = false) => {
    if (decided || res.headersSent) return;
    decided = true;
    const started = performance.now();
    try {
      decide(status, rawHeaderList);
    } catch {
      mode = "pass";
    }
    seen.headers = res.getHeaders();
    seen.ownMs += performance.now() - started;
  };

  const skip = (why?: string) => {
    seen.injection = "skipped";
    if (why) options.warn("GBXW001", why);
  };

  // biome-ignore lint/suspicious/noExplicitAny: ServerResponse.writeHead has overloads TS cannot forward.
  (res as any).writeHead = function glassboxWriteHead(
    this: ServerResponse,
    status: number,
    ...rest: unknown[]
  ) {
    const reason = typeof rest[0] === "string" ? rest[0] : undefined;
    const headers = typeof rest[0] === "string" ? rest[1] : rest[0];
    let rawHeaderList = false;
    if (Array.isArray(headers)) rawHeaderList = true;
    else if (headers && typeof headers === "object" && !res.headersSent) {
      // Same merge node does itself; done here so glassbox can read and adjust the result.
      for (const [k, v] of Object.entries(headers as OutgoingHttpHeaders))
        if (v !== undefined) res.setHeader(k, v);
    }
    ensureDecided(status, rawHeaderList);
    if (rawHeaderList) return writeHead.call(this, status, ...rest);
    return reason === undefined ? writeHead.call(this, status) : writeHead.call(this, status, reason);
  };

  function decide(status: number, rawHeaderList: boolean): void {
    if (options.visible) {
      res.setHeader("X-Glassbox-Id", options.recordId);
      const timing = options.serverTiming?.();
      if (timing) {
        const existing = res.getHeader("server-timing");
        res.setHeader("Server-Timing", existing ? `${String(existing)}, ${timing}` : timing);
      }
    }
    const contentType = String(res.getHeader("content-type") ?? "");
    seen.bodyContentType = contentType;
    if (isTextual(contentType) && options.bodyPreviewBytes > 0)
      seen.body = new BodyCollector(options.bodyPreviewBytes);
    if (options.alreadyInjected?.()) {
      seen.injection = "injected";
      return;
    }
    if (!options.visible || !options.inject || options.isHead || NO_BODY_STATUS(status)) return;
    if (!/^text\/html/i.test(contentType)) return;
    if (rawHeaderList) {
      skip();
      return;
    }
    const declared = res.getHeader("content-length") ?? presetLength(res);
    const contentEncoding = res.getHeader("content-encoding");
    snippet = Buffer.from(
      toolbarSnippet(options.prefix, options.recordId, cspNonce(res.getHeader("content-security-policy"))),
    );
    if (contentEncoding === undefined || String(contentEncoding).toLowerCase() === "identity") {
      if (declared === undefined) {
        mode = "if-single-end";
        return;
      }
      const length = Number(declared);
      if (!Number.isFinite(length) || length > options.injectMaxBytes) {
        skip();
        return;
      }
      res.setHeader("Content-Length", length + snippet.length);
      mode = "known-length";
      return;
    }
    encoding = rewritableEncoding(String(contentEncoding));
    if (!encoding || declared !== undefined) {
      skip(
        `the HTML response was compressed (${String(contentEncoding)}) before glassbox saw it; register glassbox's middleware after your compression middleware (docs/frameworks.md)`,
      );
      return;
    }
    mode = "compressed";
  }

  const flushPending = () => {
    for (const chunk of pending) write.call(res, chunk);
    pending = [];
    pendingBytes = 0;
  };

  // biome-ignore lint/suspicious/noExplicitAny: forwarding write's overloads unchanged.
  (res as any).write = function glassboxWrite(this: ServerResponse, ...args: WriteArgs) {
    const [chunk, enc] = args;
    ensureDecided(res.statusCode);
    const textEncoding = typeof enc === "string" ? enc : undefined;
    if (mode !== "compressed") seen.body?.add(chunk, textEncoding);
    if (mode === "pass") return write.apply(this, args);
    if (mode === "if-single-end") {
      // A page streamed in pieces with no length: injecting would delay it. Leave it alone.
      mode = "pass";
      skip();
      return write.apply(this, args);
    }
    const buf = toBuffer(chunk, textEncoding);
    pending.push(buf);
    pendingBytes += buf.length;
    if (mode === "compressed" && pendingBytes > options.injectMaxBytes) {
      mode = "pass";
      skip();
      flushPending();
    }
    const cb = typeof enc === "function" ? enc : args[2];
    if (cb) process.nextTick(cb);
    return true;
  };

  // biome-ignore lint/suspicious/noExplicitAny: forwarding end's overloads unchanged.
  (res as any).end = function glassboxEnd(this: ServerResponse, ...args: WriteArgs) {
    let [chunk, enc, cb] = args;
    if (typeof chunk === "function") {
      cb = chunk as Callback;
      chunk = undefined;
    } else if (typeof enc === "function") {
      cb = enc;
      enc = undefined;
    }
    // end(body) without writeHead(): decide now, and let node still compute Content-Length itself.
    ensureDecided(res.statusCode);
    const textEncoding = typeof enc === "string" ? enc : undefined;
    if (mode === "pass") {
      seen.body?.add(chunk, textEncoding);
      return end.apply(this, args);
    }
    const last = chunk === undefined || chunk === null ? undefined : toBuffer(chunk, textEncoding);
    const whole: Buffer = Buffer.concat(last ? [...pending, last] : pending);
    pending = [];
    let out: Buffer = whole;
    try {
      if (mode === "compressed" && encoding) out = injectCompressed(whole, encoding, snippet!);
      else out = injectInto(whole, snippet!);
      seen.injection = "injected";
    } catch (error) {
      skip(`could not rewrite the compressed HTML response: ${(error as Error).message}`);
      out = whole;
    }
    if (mode !== "compressed") seen.body?.add(whole);
    mode = "pass";
    return cb ? end.call(this, out, cb) : end.call(this, out);
  };

  return seen;
}

/**
 * A length set on node's internal `_contentLength` with no header (@hono/node-server does this):
 * node still sends it as Content-Length, so it counts as declared.
 */
function presetLength(res: ServerResponse): number | undefined {
  const preset = (res as unknown as { _contentLength?: unknown })._contentLength;
  return typeof preset === "number" ? preset : undefined;
}

function toBuffer(chunk: unknown, encoding: BufferEncoding | undefined): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === "string") return Buffer.from(chunk, encoding ?? "utf8");
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.alloc(0);
}
