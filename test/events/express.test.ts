import { createServer } from "node:http";
import express from "express";
import express4 from "express4";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import { listen, type Running, recordFor, testOptions } from "../helpers/http.js";
import { eventsOf, node } from "./helpers.js";

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

type Next = (error?: unknown) => void;
type Mw = (req: unknown, res: unknown, next: Next) => void;

describe.each([
  ["express 5", express as unknown as typeof express],
  ["express 4", express4 as unknown as typeof express],
])("events panel on %s", (_label, createApp) => {
  it("times five middlewares in order, the sleeping one at about 50 ms", async () => {
    const mw = glassbox(testOptions());
    const app = createApp();
    app.use(mw);
    const first: Mw = function first(_req, _res, next) {
      next();
    };
    const second: Mw = function second(_req, _res, next) {
      next();
    };
    const third: Mw = function third(_req, _res, next) {
      setTimeout(next, 50);
    };
    const fourth = async function fourth(_req: unknown, _res: unknown, next: Next) {
      next();
    };
    const fifth: Mw = function fifth(_req, _res, next) {
      next();
    };
    app.use(first, second, third, fourth as Mw, fifth);
    app.get("/page", function page(_req, res) {
      res.type("text").send("ok");
    });
    running = await listen(createServer(app));
    const res = await fetch(`${running.url}/page`);
    expect(await res.text()).toBe("ok");
    const data = eventsOf(await recordFor(mw.glassbox!, res));

    const names = data.nodes.map((n) => n.name);
    expect(names.slice(0, 5)).toEqual(["first", "second", "third", "fourth", "fifth"]);
    expect(node(data, "third").durationMs).toBeGreaterThanOrEqual(45);
    for (const other of ["first", "second", "fourth", "fifth"])
      expect(node(data, other).durationMs).toBeLessThan(node(data, "third").durationMs);
    // Each starts where the one before handed over: the order is also the start order.
    const starts = data.nodes.slice(0, 5).map((n) => n.startMs);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    expect(node(data, "fourth").startMs).toBeGreaterThanOrEqual(node(data, "third").startMs + 45);

    const route = node(data, "GET /page");
    expect(route.kind).toBe("route");
    const page = node(data, "page");
    expect(page).toMatchObject({
      kind: "handler",
      depth: route.depth + 1,
      parentId: route.id,
      endedResponse: true,
    });
    expect(data.nodes.filter((n) => n.endedResponse)).toHaveLength(1);
    expect(data.totals.middlewareMs).toBeGreaterThanOrEqual(45);
    await mw.glassbox!.close();
  });

  it("nests a router's middleware and routes, and marks the handler that answered", async () => {
    const mw = glassbox(testOptions());
    const app = createApp();
    app.use(mw);
    const api = createApp.Router();
    api.use(function apiAuth(_req, _res, next) {
      next();
    });
    api.get(
      "/items/:id",
      function loadItem(_req, _res, next) {
        setTimeout(next, 20);
      },
      function sendItem(req, res) {
        setTimeout(() => res.json({ id: req.params.id }), 5);
      },
    );
    app.use("/api", api);
    app.use(function notFound(_req, res) {
      res.status(404).end();
    });
    running = await listen(createServer(app));
    const res = await fetch(`${running.url}/api/items/7`);
    expect(await res.json()).toEqual({ id: "7" });
    const record = await recordFor(mw.glassbox!, res);
    const data = eventsOf(record);

    const router = node(data, "router");
    expect(router).toMatchObject({ kind: "router", path: "/api", depth: 0 });
    expect(node(data, "apiAuth")).toMatchObject({ kind: "middleware", depth: 1, parentId: router.id });
    const route = node(data, "GET /items/:id");
    expect(route).toMatchObject({ kind: "route", depth: 1, parentId: router.id, path: "/items/:id" });
    expect(node(data, "loadItem")).toMatchObject({ kind: "handler", depth: 2, parentId: route.id });
    expect(node(data, "loadItem").durationMs).toBeGreaterThanOrEqual(15);
    expect(node(data, "sendItem")).toMatchObject({ kind: "handler", depth: 2, endedResponse: true });
    expect(data.nodes.filter((n) => n.endedResponse).map((n) => n.name)).toEqual(["sendItem"]);
    // The router runs as long as what it contains.
    expect(router.durationMs).toBeGreaterThanOrEqual(node(data, "loadItem").durationMs);
    expect(data.nodes.some((n) => n.name === "notFound")).toBe(false);

    // The same tree on the record's timeline, with depth, for the waterfall.
    const timeline = record.timeline.filter((t) => t.panel === "events");
    expect(timeline.find((t) => t.label === "handler sendItem")).toMatchObject({ depth: 2 });
    expect(timeline.find((t) => t.label === "router router")).toMatchObject({ depth: 0 });
    expect(record.stats["events.count"]).toBe(data.nodes.length);
    await mw.glassbox!.close();
  });

  it("marks a middleware that answers itself, and a layer that passed an error on", async () => {
    const mw = glassbox(testOptions());
    const app = createApp();
    app.use(mw);
    app.use(function failing(_req, _res, next) {
      next(new Error("nope"));
    });
    app.use(function skipped(_req, _res, next) {
      next();
    });
    app.use(function onError(
      error: Error,
      _req: unknown,
      res: { status(n: number): { send(s: string): void } },
      _next: Next,
    ) {
      res.status(500).send(error.message);
    } as unknown as Mw);
    running = await listen(createServer(app));
    const res = await fetch(`${running.url}/x`);
    expect(res.status).toBe(500);
    const data = eventsOf(await recordFor(mw.glassbox!, res));
    expect(node(data, "failing").error).toBe(true);
    expect(data.nodes.some((n) => n.name === "skipped")).toBe(false);
    expect(node(data, "onError (error handler)")).toMatchObject({ kind: "middleware", endedResponse: true });
    await mw.glassbox!.close();
  });
});
