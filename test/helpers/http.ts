import { request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Glassbox } from "../../src/core/glassbox.js";
import type { GlassboxRecord } from "../../src/core/record.js";

export interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on an ephemeral loopback port; close() also ends keep-alive sockets. */
export async function listen(server: Server, host = "127.0.0.1"): Promise<Running> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Waits until the store holds a record for this response's X-Glassbox-Id (or id). */
export async function recordFor(
  gb: Glassbox,
  idOrResponse: string | Response,
  timeoutMs = 5000,
): Promise<GlassboxRecord> {
  const id = typeof idOrResponse === "string" ? idOrResponse : idOrResponse.headers.get("x-glassbox-id");
  if (!id) throw new Error("response has no X-Glassbox-Id header");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = await gb.store.get(id);
    if (record) return record;
    if (Date.now() > deadline) throw new Error(`no record ${id} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Waits until `n` request records are stored. */
export async function waitForRecords(gb: Glassbox, n: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await gb.store.list({ limit: 0 });
    if (page.total >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${page.total} of ${n} records after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body bytes exactly as sent: not decompressed. */
  body: Buffer;
}

/**
 * One request with node:http, for what fetch hides: a chosen Host header, HEAD, and the raw
 * (still compressed) body bytes.
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Options every test glassbox uses: an in-memory store and warnings collected, not printed. */
export function testOptions(warnings: string[] = []) {
  return {
    store: { path: ":memory:" as const },
    logger: { warn: (m: string) => warnings.push(m) },
    // Tests count records: every request is recorded, however slow the machine (the overhead
    // budget has its own tests).
    overhead: false as const,
  };
}

/** The background records a glassbox holds, whole, once its open window and writes are stored. */
export async function backgroundRecords(gb: Glassbox): Promise<GlassboxRecord[]> {
  gb.flushBackground();
  await gb.store.flush();
  const page = await gb.store.list({ kind: "background", limit: 100 });
  const out: GlassboxRecord[] = [];
  for (const summary of page.records) {
    const full = await gb.store.get(summary.id);
    if (full) out.push(full);
  }
  return out;
}
