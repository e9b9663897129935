import { createServer, type IncomingMessage } from "node:http";
import { Socket } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import type { Glassbox } from "../../src/core/glassbox.js";
import type { BodyPreview, GlassboxRecord, RecordSummary } from "../../src/core/record.js";
import { listen, type Running } from "../helpers/http.js";
import { rawExchange } from "./support.js";

const MB = 1024 * 1024;
const PREVIEW = 16 * 1024;

let running: Running;
let gb: Glassbox;
const warnings: string[] = [];

/** Resolves when the app has seen the end of a request (finished or aborted). */
const settled = new Map<string, () => void>();

beforeAll(async () => {
  const mw = glassbox({ store: { path: ":memory:" }, logger: { warn: (m) => warnings.push(m) } });
  gb = mw.glassbox!;
  const app = express();
  app.use(mw);
  app.get("/items/:id", (req, res) => res.json({ id: req.params.id }));
  app.get("/ok", (_req, res) => res.type("text").send("ok"));
  app.get("/echo-headers", (req, res) => res.json({ weird: req.headers["x-weird"] ?? null }));
  app.post("/count", (req: IncomingMessage, res) => {
    let bytes = 0;
    req.on("data", (c: Buffer) => {
      bytes += c.length;
    });
    req.on("end", () => res.json({ bytes }));
    req.on("close", () => settled.get("count")?.());
  });
  app.post("/json", express.json({ limit: "1mb" }), (req, res) =>
    res.json({ keys: Object.keys(req.body as object) }),
  );
  app.get("/big", (_req, res) => res.type("text").send("y".repeat(10 * MB)));
  app.get("/slow-stream", (_req, res) => {
    res.type("text");
    let n = 0;
    const timer = setInterval(() => {
      if (res.destroyed || n === 50) {
        clearInterval(timer);
        if (!res.destroyed) res.end("done");
        settled.get("stream")?.();
        return;
      }
      res.write(`chunk ${n++}\n`);
    }, 10);
  });
  app.use((_req, res) => res.status(404).send("app 404"));
  app.use((error: Error & { status?: number }, _req: unknown, res: express.Response, _next: unknown) => {
    res.status(error.status ?? 500).send(`app error: ${error.name}`);
  });
  running = await listen(createServer(app));
});

afterAll(async () => {
  await running.close();
  await gb.close();
});

/** The app still answers a plain request: nothing glassbox did broke the server. */
async function stillServing(): Promise<void> {
  const res = await fetch(`${running.url}/ok`);
  expect(res.status).toBe(200);
  expect(await res.text()).toBe("ok");
}

/** Waits for the newest record whose path satisfies `test`. */
async function recordWhere(test: (r: RecordSummary) => boolean, timeoutMs = 5000): Promise<GlassboxRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await gb.store.list({ limit: 1000 });
    const hit = page.records.find(test);
    if (hit) return (await gb.store.get(hit.id))!;
    if (Date.now() > deadline) throw new Error("no matching record");
    await new Promise((r) => setTimeout(r, 10));
  }
}

type RequestPanel = { body?: BodyPreview; url: string; query: Record<string, unknown> };
type ResponsePanel = { body?: BodyPreview; bytes?: number; aborted: boolean; status: number };
const requestData = (r: GlassboxRecord) => r.panels.request!.data as RequestPanel;
const responseData = (r: GlassboxRecord) => r.panels.response!.data as ResponsePanel;

describe("malformed URLs", () => {
  it.each([
    ["a broken percent escape", "/%E0%A4%A"],
    ["encoded traversal", "/..%2f..%2fetc%2fpasswd"],
    ["a broken escape inside a route parameter", "/items/%E0%A4%A"],
    ["a broken query string", "/ok?x=%zz&token=%E0%A4%A&&=&a=1=2"],
    ["a 12 KB URL", `/long/${"a".repeat(8000)}?q=${"b".repeat(4000)}`],
  ])("%s is recorded as received and the app keeps serving", async (_what, path) => {
    const answer = await rawExchange(
      running.port,
      `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 (200|400|404)/);
    const record = await recordWhere((r) => r.path === path.split("?")[0]);
    expect(record.status).toBe(Number(answer.slice(9, 12)));
    if (path.includes("token=")) expect(record.url).toContain("token=[redacted]");
    await stillServing();
  });

  it("lets node refuse what it cannot parse, and keeps serving", async () => {
    const tooLong = await rawExchange(
      running.port,
      `GET /${"x".repeat(70_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
    );
    expect(tooLong).toMatch(/^HTTP\/1\.1 431/);
    const garbage = await rawExchange(running.port, "NOT HTTP AT ALL\r\n\r\n");
    expect(garbage).toMatch(/^HTTP\/1\.1 400/);
    const badChunk = await rawExchange(
      running.port,
      "POST /count HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    );
    expect(badChunk).toMatch(/^HTTP\/1\.1 400/);
    await stillServing();
  });
});

describe("unusual header values node lets through", () => {
  it("records latin-1 bytes, long values, malformed trace and cookie headers without failing", async () => {
    const head = Buffer.concat([
      Buffer.from("GET /echo-headers HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"),
      Buffer.from("X-Weird: caf\xe9 \xff\xfe\r\n", "latin1"),
      Buffer.from(`X-Long: ${"v".repeat(8000)}\r\n`),
      Buffer.from("traceparent: 00-zzzz-not-a-trace-01\r\n"),
      Buffer.from("Cookie: ;;;=;novalue;a=b=c;\r\n"),
      Buffer.from("Content-Type: ;;;\r\n"),
      Buffer.from("X-Glassbox-Deep: maybe\r\n"),
      Buffer.from("X-Dup: 1\r\nX-Dup: 2\r\n\r\n"),
    ]);
    const answer = await rawExchange(running.port, head);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    const record = await recordWhere((r) => r.path === "/echo-headers");
    const headers = (record.panels.headers!.data as { request: Record<string, string> }).request;
    expect(headers["x-weird"]).toBe("caf\xe9 \xff\xfe");
    expect(headers["x-long"]).toHaveLength(8000);
    expect(headers.cookie).not.toContain("=b=c");
    expect(record.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(record.parentSpanId).toBeUndefined();
    await stillServing();
  });
});

describe("large bodies", () => {
  it("keeps a 16 KiB preview of a 10 MB request body, marked truncated, and counts every byte", async () => {
    const body = Buffer.alloc(10 * MB, "x");
    body.write('{"password": "hunter2", "data": "', 0);
    const res = await fetch(`${running.url}/count`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(await res.json()).toEqual({ bytes: 10 * MB });
    const record = await recordWhere((r) => r.path === "/count" && r.status === 200);
    const preview = requestData(record).body!;
    expect(preview.truncated).toBe(true);
    expect(preview.bytes).toBe(10 * MB);
    // 16 KiB kept, then the secret in it masked (the mask is longer than "hunter2").
    expect(Buffer.byteLength(preview.text)).toBe(PREVIEW - "hunter2".length + "[redacted]".length);
    expect(preview.text).toContain('"password": "[redacted]"');
    expect(record.stats["request.bytes"]).toBe(10 * MB);
    await stillServing();
  });

  it("keeps a 16 KiB preview of a 10 MB response body, marked truncated", async () => {
    const res = await fetch(`${running.url}/big`);
    expect((await res.arrayBuffer()).byteLength).toBe(10 * MB);
    const record = await recordWhere((r) => r.path === "/big");
    const response = responseData(record);
    expect(response.body!.truncated).toBe(true);
    expect(response.body!.text).toHaveLength(PREVIEW);
    expect(response.bytes).toBe(10 * MB);
    expect(response.aborted).toBe(false);
  });

  it("survives a JSON body nested thousands of levels deep", async () => {
    const depth = 2000;
    // A secret-named key sends the body through the parse-and-mask path, which must stay bounded.
    const body = `{"password":"deep-secret","a":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`;
    const res = await fetch(`${running.url}/json`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(200);
    const record = await recordWhere((r) => r.path === "/json");
    expect(requestData(record).body!.text).toContain("[depth limit]");
    expect(requestData(record).body!.text).not.toContain("deep-secret");
    await stillServing();
  });
});

describe("aborted requests", () => {
  it("records a request whose client went away mid-body: aborted, body marked truncated", async () => {
    for (const sent of [4 * 1024, 64 * 1024]) {
      const appSawIt = new Promise<void>((resolve) => settled.set("count", resolve));
      const socket = new Socket();
      await new Promise<void>((resolve) => socket.connect(running.port, "127.0.0.1", resolve));
      socket.write(
        `POST /count?sent=${sent} HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: ${MB}\r\n\r\n`,
      );
      socket.write(Buffer.alloc(sent, "z"));
      await new Promise((r) => setTimeout(r, 50));
      socket.destroy();
      await appSawIt;
      const record = await recordWhere((r) => r.url === `/count?sent=${sent}`);
      expect(responseData(record).aborted).toBe(true);
      const preview = requestData(record).body!;
      expect(preview.truncated, `${sent} bytes sent`).toBe(true);
      expect(preview.bytes).toBe(sent);
      expect(Buffer.byteLength(preview.text)).toBe(Math.min(sent, PREVIEW));
      await stillServing();
    }
  });

  it("records a response the client stopped reading mid-stream: aborted, body marked truncated", async () => {
    const appSawIt = new Promise<void>((resolve) => settled.set("stream", resolve));
    const socket = new Socket();
    await new Promise<void>((resolve) => socket.connect(running.port, "127.0.0.1", resolve));
    const firstBytes = new Promise<void>((resolve) => socket.once("data", () => resolve()));
    socket.write("GET /slow-stream HTTP/1.1\r\nHost: localhost\r\n\r\n");
    await firstBytes;
    socket.destroy();
    await appSawIt;
    const record = await recordWhere((r) => r.path === "/slow-stream");
    const response = responseData(record);
    expect(response.aborted).toBe(true);
    expect(response.body?.truncated).toBe(true);
    expect(response.body?.text).toMatch(/^chunk 0\n/);
    expect(response.body?.text).not.toContain("done");
    expect(record.panels.response!.summary).toContain("aborted");
    await stillServing();
  });

  it("never warned about its own failures while handling any of this", () => {
    expect(warnings.filter((w) => /GBXW00[23]/.test(w))).toEqual([]);
  });
});
