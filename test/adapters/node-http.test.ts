import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/node-http.js";
import { listen, type Running, recordFor, testOptions } from "../helpers/http.js";
import { delay, describeAcceptance, PAGE, randomDelay, writeStream } from "./acceptance.js";

/** The acceptance routes (see acceptance.ts) as a plain node:http handler. */
async function handler(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0]!;
  const json = (value: unknown) => {
    const body = JSON.stringify(value);
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
  const user = /^\/users\/([^/]+)$/.exec(path)?.[1];
  const token = /^\/token\/([^/]+)$/.exec(path)?.[1];
  if (user) {
    await delay(15);
    console.log("loading user", user);
    return json({ id: user });
  }
  if (path === "/sync-error") throw new Error("sync boom");
  if (path === "/async-error") {
    await delay(1);
    throw new Error("async boom");
  }
  if (token) {
    await randomDelay();
    console.log(`token ${token}`);
    await randomDelay();
    return json({ token });
  }
  if (path === "/page") {
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-length": Buffer.byteLength(PAGE),
    });
    res.end(req.method === "HEAD" ? undefined : PAGE);
    return;
  }
  if (path === "/json") return json({ ok: true });
  if (path === "/not-modified") {
    res.writeHead(304, { "content-type": "text/html" });
    res.end();
    return;
  }
  if (path === "/stream") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    await writeStream((chunk) => res.write(chunk));
    res.end();
    return;
  }
  res.writeHead(404).end("not found");
}

/**
 * The server's own error handling around the wrapped handler: what a node:http app (or the
 * framework built on it) does with a throw or a rejection the handler did not catch.
 */
function serverWith(wrapped: typeof handler, errors: unknown[]) {
  const fail = (res: ServerResponse, error: unknown) => {
    errors.push(error);
    res.writeHead(500, { "content-type": "text/plain" }).end(`handled: ${(error as Error).message}`);
  };
  return createServer((req, res) => {
    try {
      wrapped(req, res).catch((error: unknown) => fail(res, error));
    } catch (error) {
      fail(res, error);
    }
  });
}

describeAcceptance("node:http", {
  start: async () => {
    const withGlassbox = glassbox(testOptions());
    const errors: unknown[] = [];
    const running = await listen(serverWith(withGlassbox(handler), errors));
    return { ...running, glassbox: withGlassbox.glassbox!, frameworkErrors: errors };
  },
});

describe("node:http adapter", () => {
  let running: Running | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it("rethrows a synchronous throw unchanged after recording it", async () => {
    const withGlassbox = glassbox(testOptions());
    const thrown = new Error("sync from a plain handler");
    const errors: unknown[] = [];
    const plain = (_req: IncomingMessage, _res: ServerResponse): Promise<void> => {
      throw thrown;
    };
    running = await listen(serverWith(withGlassbox(plain), errors));
    const res = await fetch(`${running.url}/`);
    expect(res.status).toBe(500);
    expect(errors[0]).toBe(thrown);
    const record = await recordFor(withGlassbox.glassbox!, res);
    expect(record.error?.message).toBe("sync from a plain handler");
    await withGlassbox.glassbox!.close();
  });

  it("uses X-Forwarded-For for the client only when trustProxy is set", async () => {
    for (const trustProxy of [false, true]) {
      const withGlassbox = glassbox({ ...testOptions(), trustProxy });
      running = await listen(createServer(withGlassbox((_req, res) => res.end("ok"))));
      const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const req = request(`${running!.url}/`, { headers: { "x-forwarded-for": "203.0.113.9" } });
        req.on("response", (res) => {
          res.resume();
          resolve(res.headers);
        });
        req.on("error", reject);
        req.end();
      });
      // A non-loopback client does not see glassbox, so its response carries no glassbox header.
      expect(headers["x-glassbox-id"] === undefined).toBe(trustProxy);
      await expect.poll(async () => (await withGlassbox.glassbox!.store.list({ limit: 0 })).total).toBe(1);
      const [summary] = (await withGlassbox.glassbox!.store.list({ limit: 1 })).records;
      const record = await withGlassbox.glassbox!.store.get(summary!.id);
      expect(record?.panels.request?.data).toMatchObject({
        clientIp: trustProxy ? "203.0.113.9" : "127.0.0.1",
      });
      await running.close();
      running = undefined;
      await withGlassbox.glassbox!.close();
    }
  });

  it("serves the dashboard API from the wrapped handler, still returning a promise", async () => {
    const withGlassbox = glassbox(testOptions());
    const errors: unknown[] = [];
    running = await listen(serverWith(withGlassbox(handler), errors));
    await recordFor(withGlassbox.glassbox!, await fetch(`${running.url}/json`));
    const res = await fetch(`${running.url}/__glassbox/api/requests`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { requests: { path: string; route?: string }[] };
    expect(body.requests).toHaveLength(1);
    expect(body.requests[0]).toMatchObject({ path: "/json" });
    expect(body.requests[0]!.route).toBeUndefined();
    // A Host glassbox does not answer to: the app's own 404, as if glassbox were absent.
    const hidden = await new Promise<number>((resolve, reject) => {
      const req = request(`${running!.url}/__glassbox/api/requests`, {
        headers: { host: "attacker.example" },
      });
      req.on("response", (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(hidden).toBe(404);
    expect(errors).toEqual([]);
    await withGlassbox.glassbox!.close();
  });

  it("returns the handler itself when disabled", () => {
    const withGlassbox = glassbox({ enabled: false });
    expect(withGlassbox.glassbox).toBeUndefined();
    expect(withGlassbox(handler)).toBe(handler);
  });
});
