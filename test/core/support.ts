import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GlassboxRecord } from "../../src/core/record.js";

/** A unique string no app or glassbox could produce by chance. */
export function secret(label: string): string {
  return `${label}${randomBytes(12).toString("hex")}`;
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "glassbox-core-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * An HTTP request with full control of the headers (Host, Origin, X-Forwarded-For), which fetch
 * does not allow.
 */
export function send(
  port: number,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    host?: string;
  },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.host ?? "127.0.0.1",
        port,
        method: options.method ?? "GET",
        path: options.path,
        // node sends a DELETE body with no framing unless told its length.
        headers:
          options.body === undefined
            ? options.headers
            : { "content-length": String(Buffer.byteLength(options.body)), ...options.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Writes raw bytes on a TCP socket and collects everything the server answers until it closes. */
export function rawExchange(port: number, bytes: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString("latin1"));
    }, timeoutMs);
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
    socket.connect(port, "127.0.0.1", () => socket.end(bytes));
  });
}

/** A realistic finished record, for filling a store directly. */
export function fakeRecord(overrides: Partial<GlassboxRecord> & { id: string }): GlassboxRecord {
  return {
    schema: 1,
    kind: "request",
    service: "test-app",
    traceId: randomBytes(16).toString("hex"),
    spanId: randomBytes(8).toString("hex"),
    startedAt: Date.now(),
    durationMs: 1,
    method: "GET",
    url: "/",
    path: "/",
    status: 200,
    stats: {},
    alerts: [],
    timeline: [],
    serverTiming: [],
    panels: {},
    ...overrides,
  };
}
