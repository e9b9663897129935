import { tracingChannel } from "node:diagnostics_channel";
import { request } from "node:http";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/fastify.js";
import type { GlassboxOptions } from "../../src/core/config.js";
import { recordingState } from "../../src/core/context.js";
import { recordFor, testOptions, waitForRecords } from "../helpers/http.js";
import { eventsOf, node, sleep } from "./helpers.js";

let close: (() => Promise<unknown>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function start(build: (app: FastifyInstance) => void, options: GlassboxOptions = testOptions()) {
  const plugin = glassbox(options);
  const app = Fastify();
  await app.register(plugin);
  build(app);
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  close = () => app.close();
  return { url, gb: plugin.glassbox! };
}

describe("events panel on fastify", () => {
  it("times each stage, the sleeping preHandler at about 50 ms, then the handler", async () => {
    const { url, gb } = await start((app) => {
      app.addHook("onRequest", async () => {});
      app.addHook("preHandler", async () => {
        await sleep(50);
      });
      app.post("/items", async function createItem(request: { body: unknown }) {
        await sleep(10);
        return { received: request.body };
      });
    });
    const res = await fetch(`${url}/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ a: 1 }),
    });
    expect(await res.json()).toEqual({ received: { a: 1 } });
    const data = eventsOf(await recordFor(gb, res));

    const names = data.nodes.map((n) => n.name);
    expect(names).toEqual([
      "onRequest",
      "preParsing",
      "preValidation",
      "preHandler",
      "POST /items",
      "preSerialization",
      "onSend",
      "onResponse",
    ]);
    expect(node(data, "preHandler")).toMatchObject({ kind: "hook", depth: 0 });
    expect(node(data, "preHandler").durationMs).toBeGreaterThanOrEqual(45);
    const handler = node(data, "POST /items");
    expect(handler).toMatchObject({ kind: "handler", path: "/items" });
    expect(handler.durationMs).toBeGreaterThanOrEqual(8);
    for (const other of ["onRequest", "preParsing", "preValidation", "onSend"])
      expect(node(data, other).durationMs).toBeLessThan(node(data, "preHandler").durationMs);
    const starts = data.nodes.map((n) => n.startMs);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    expect(data.totals.middlewareMs).toBeGreaterThanOrEqual(45);
  });

  it("shows onError when the handler throws, and marks the handler", async () => {
    const { url, gb } = await start((app) => {
      app.get("/boom", async () => {
        throw new Error("boom");
      });
    });
    const res = await fetch(`${url}/boom`);
    expect(res.status).toBe(500);
    const data = eventsOf(await recordFor(gb, res));
    expect(node(data, "GET /boom").error).toBe(true);
    const names = data.nodes.map((n) => n.name);
    expect(names.indexOf("onError")).toBeGreaterThan(names.indexOf("GET /boom"));
    expect(names.indexOf("onSend")).toBeGreaterThan(names.indexOf("onError"));
  });

  it("times the app's onResponse hooks as the onResponse stage", async () => {
    const { url, gb } = await start((app) => {
      app.addHook("onResponse", (_request, _reply, done) => {
        const until = performance.now() + 30;
        while (performance.now() < until) {
          // A synchronous metrics flush, say: it runs after the response went out.
        }
        done();
      });
      app.get("/items", async () => ({ ok: true }));
    });
    const res = await fetch(`${url}/items`);
    expect(await res.json()).toEqual({ ok: true });
    const data = eventsOf(await recordFor(gb, res));
    expect(data.nodes.map((n) => n.name).slice(-2)).toEqual(["onSend", "onResponse"]);
    expect(node(data, "onResponse").durationMs).toBeGreaterThanOrEqual(25);
    expect(node(data, "onSend").durationMs).toBeLessThan(25);
  });

  it("leaves a request it does not record with the response listeners of a bare app", async () => {
    // An onResponse hook would make Fastify add and remove listeners on every response.
    const listeners = (app: FastifyInstance) =>
      app.get("/items", async (_request, reply) => ({
        finish: reply.raw.listenerCount("finish"),
        close: reply.raw.listenerCount("close"),
        error: reply.raw.listenerCount("error"),
      }));
    const bare = Fastify();
    listeners(bare);
    const bareUrl = await bare.listen({ port: 0, host: "127.0.0.1" });
    try {
      const expected = await (await fetch(`${bareUrl}/items`)).json();
      const { url } = await start(listeners, { ...testOptions(), ignore: ["/items"] });
      expect(await (await fetch(`${url}/items`)).json()).toEqual(expected);
    } finally {
      await bare.close();
    }
  });

  it("times the handler without subscribing to Fastify's handler channel", async () => {
    // While anyone subscribes, Fastify wraps every handler call, recorded or not, in the channel;
    // subscribing for each recorded request threw its optimized request code away each time.
    const subscribed = () => ({ subscribed: tracingChannel("fastify.request.handler").hasSubscribers });
    const { url, gb } = await start(
      (app) => {
        app.get("/items", async () => subscribed());
        app.get("/health", async () => subscribed());
      },
      { ...testOptions(), ignore: ["/health"] },
    );
    const res = await fetch(`${url}/items`);
    expect(await res.json()).toEqual({ subscribed: false });
    const record = await recordFor(gb, res);
    expect(node(eventsOf(record), "GET /items")).toMatchObject({ kind: "handler", path: "/items" });
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ subscribed: false });
  });

  it("calls then() of a handler's thenable result once, as Fastify alone does", async () => {
    // A query builder returned from a handler runs its query on every then().
    let thens = 0;
    const { url, gb } = await start((app) => {
      app.get("/lazy", () => ({
        // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test is about.
        then(resolve: (value: unknown) => void) {
          thens++;
          resolve({ rows: 1 });
        },
      }));
    });
    const res = await fetch(`${url}/lazy`);
    expect(await res.json()).toEqual({ rows: 1 });
    await recordFor(gb, res);
    expect(thens).toBe(1);
  });

  it("marks the handler of a rejected promise and keeps the route's own handler name", async () => {
    const { url, gb } = await start((app) => {
      app.get("/reject", async function loadReport() {
        await sleep(5);
        throw Object.assign(new Error("no report"), { statusCode: 404 });
      });
    });
    const res = await fetch(`${url}/reject`);
    expect(res.status).toBe(404);
    const record = await recordFor(gb, res);
    expect(node(eventsOf(record), "GET /reject").error).toBe(true);
    const routes = record.panels.routes?.data as { routes?: Array<{ path: string; handlers?: string[] }> };
    expect(routes.routes?.find((r) => r.path === "/reject")?.handlers).toEqual(["loadReport"]);
  });

  it("records, as aborted, a request whose client left before glassbox's hook ran, and holds no subscription", async () => {
    const plugin = glassbox(testOptions());
    const app = Fastify();
    let reached!: () => void;
    const glassboxHookReached = new Promise<void>((resolve) => {
      reached = resolve;
    });
    // An app hook registered ahead of glassbox that waits until the client has gone.
    app.addHook("onRequest", async (request) => {
      await new Promise((resolve) => request.raw.socket.once("close", resolve));
      await sleep(10);
    });
    await app.register(plugin);
    app.addHook("onRequest", async () => reached());
    app.get("/items", async () => ({ ok: true }));
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    close = () => app.close();
    const req = request(`${url}/items`);
    req.on("error", () => {});
    req.end();
    await sleep(50);
    req.destroy();
    await glassboxHookReached;
    expect(tracingChannel("fastify.request.handler").hasSubscribers).toBe(false);
    // The request is still recorded, as aborted, and no longer counts as running.
    await waitForRecords(plugin.glassbox!, 1);
    const [summary] = (await plugin.glassbox!.store.list({ limit: 1 })).records;
    expect(summary).toMatchObject({ path: "/items" });
    const record = await plugin.glassbox!.store.get(summary!.id);
    expect((record?.panels.response?.data as { aborted?: boolean } | undefined)?.aborted).toBe(true);
    expect(recordingState.inFlight).toBe(0);
  });

  it("leaves route handlers unwrapped with the Events panel disabled, and still records", async () => {
    // The frames between Fastify and the app's handler: glassbox's wrapper only when it times handlers.
    const handlerStack = () => ({ stack: new Error("where").stack ?? "" });
    const off = await start(
      (app) => {
        app.get("/items", async () => handlerStack());
      },
      { ...testOptions(), disablePanels: ["events"] },
    );
    const res = await fetch(`${off.url}/items`);
    expect((await res.json()).stack).not.toContain("glassboxTimedHandler");
    const record = await recordFor(off.gb, res);
    expect(record.panels.events).toBeUndefined();
    expect(record.panels.request).toBeDefined();
    await close?.();
    const on = await start((app) => {
      app.get("/items", async () => handlerStack());
    });
    expect((await (await fetch(`${on.url}/items`)).json()).stack).toContain("glassboxTimedHandler");
  });
});
