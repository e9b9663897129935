import { EventEmitter } from "node:events";
import { createServer } from "node:http";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import { event, watchEmitter, watchServer } from "../../src/index.js";
import { backgroundRecords, listen, type Running, recordFor, testOptions } from "../helpers/http.js";
import { eventsOf, node } from "./helpers.js";

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe("user events", () => {
  it("lands event() from a request in that request's record and timeline, with secrets masked", async () => {
    const mw = glassbox(testOptions());
    const app = express();
    app.use(mw);
    app.post("/orders", function createOrder(_req, res) {
      event("order.created", {
        id: 42,
        items: 3,
        card: { token: "tok_live_123", last4: "4242" },
        password: "hunter2",
      });
      res.status(201).json({ id: 42 });
    });
    running = await listen(createServer(app));
    const res = await fetch(`${running.url}/orders`, { method: "POST" });
    expect(res.status).toBe(201);
    const record = await recordFor(mw.glassbox!, res);
    const data = eventsOf(record);

    const created = node(data, "order.created");
    expect(created.kind).toBe("user");
    expect(created.data).toEqual({
      id: 42,
      items: 3,
      card: { token: "[redacted]", last4: "4242" },
      password: "[redacted]",
    });
    // Recorded while the handler ran: it is that step's child.
    expect(created.parentId).toBe(node(data, "createOrder").id);
    expect(JSON.stringify(record)).not.toContain("hunter2");
    expect(JSON.stringify(record)).not.toContain("tok_live_123");
    expect(record.timeline.find((t) => t.label === "event order.created")).toMatchObject({ panel: "events" });
    expect(record.stats["events.user"]).toBe(1);
    await mw.glassbox!.close();
  });

  it("cuts large event data and marks it", async () => {
    const mw = glassbox({ ...testOptions(), events: { maxDataBytes: 64 } });
    const app = express();
    app.use(mw);
    app.get("/big", (_req, res) => {
      event("big", { text: "x".repeat(10_000) });
      res.json({ ok: true });
    });
    running = await listen(createServer(app));
    const res = await fetch(`${running.url}/big`);
    const big = node(eventsOf(await recordFor(mw.glassbox!, res)), "big");
    expect(big.truncated).toBe(true);
    expect(typeof big.data).toBe("string");
    expect((big.data as string).length).toBeLessThan(100);
    expect(big.data as string).toMatch(/…\(truncated\)$/);
    await mw.glassbox!.close();
  });

  it("records event() outside any request in the background record", async () => {
    const mw = glassbox(testOptions());
    const gb = mw.glassbox!;
    event("cache.warmed", { entries: 120, apiKey: "k-secret" });
    const [background] = await backgroundRecords(gb);
    expect(background).toBeDefined();
    const warmed = node(eventsOf(background!), "cache.warmed");
    expect(warmed).toMatchObject({ kind: "user", data: { entries: 120, apiKey: "[redacted]" } });
    await gb.close();
  });

  it("records an EventEmitter's watched events where they are emitted, without changing it", async () => {
    const mw = glassbox(testOptions());
    const orders = new EventEmitter();
    const heard: unknown[] = [];
    orders.on("created", (order) => heard.push(order));
    const unwatch = watchEmitter(orders, ["created", "error"], { label: "orders" });
    const app = express();
    app.use(mw);
    app.get("/order", (_req, res) => {
      orders.emit("created", { id: 1, secret: "s3" });
      orders.emit("ignored", { id: 2 });
      res.json({ ok: true });
    });
    running = await listen(createServer(app));
    const res = await fetch(`${running.url}/order`);
    const data = eventsOf(await recordFor(mw.glassbox!, res));
    expect(node(data, "orders: created")).toMatchObject({
      kind: "emitter",
      data: [{ id: 1, secret: "[redacted]" }],
    });
    expect(data.nodes.some((n) => n.name.includes("ignored"))).toBe(false);
    expect(heard).toEqual([{ id: 1, secret: "s3" }]);
    // Watching "error" adds no listener: an unhandled error still throws.
    expect(orders.listenerCount("error")).toBe(0);
    expect(() => orders.emit("error", new Error("unhandled"))).toThrow("unhandled");

    unwatch();
    expect(Object.hasOwn(orders, "emit")).toBe(false);
    await mw.glassbox!.close();
  });

  it("records a watched server's listen and close as lifecycle events", async () => {
    const mw = glassbox(testOptions());
    const gb = mw.glassbox!;
    const app = express();
    app.use(mw);
    const server = createServer(app);
    const unwatch = watchServer(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    unwatch();
    const [background] = await backgroundRecords(gb);
    const data = eventsOf(background!);
    expect(node(data, "listen")).toMatchObject({ kind: "lifecycle" });
    expect((node(data, "listen").data as { address: string }).address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(node(data, "close").kind).toBe("lifecycle");
    await gb.close();
  });
});
