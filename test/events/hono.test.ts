import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/hono.js";
import { recordFor, testOptions } from "../helpers/http.js";
import { eventsOf, node, sleep } from "./helpers.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

function start(app: Hono): Promise<string> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => {
      close = () =>
        new Promise<void>((done) => {
          if ("closeAllConnections" in server) server.closeAllConnections();
          server.close(() => done());
        });
      resolve(`http://127.0.0.1:${info.port}`);
    });
  });
}

describe("events panel on hono", () => {
  it("times each middleware until it calls next(), and the handler, in dispatch order", async () => {
    const app = new Hono();
    const mw = glassbox({ ...testOptions(), app });
    app.use(mw);
    app.use(async function first(_c, next) {
      await next();
    });
    app.use(async function second(_c, next) {
      await next();
    });
    app.use(async function third(_c, next) {
      await sleep(50);
      await next();
    });
    app.use("/api/*", async function fourth(_c, next) {
      await next();
    });
    app.use(async function fifth(_c, next) {
      await next();
    });
    app.get("/api/items/:id", async function getItem(c) {
      await sleep(10);
      return c.json({ id: c.req.param("id") });
    });
    const url = await start(app);
    const res = await fetch(`${url}/api/items/5`);
    expect(await res.json()).toEqual({ id: "5" });
    const data = eventsOf(await recordFor(mw.glassbox!, res));

    expect(data.nodes.map((n) => [n.name, n.kind, n.depth])).toEqual([
      ["first", "middleware", 0],
      ["second", "middleware", 1],
      ["third", "middleware", 2],
      ["fourth", "middleware", 3],
      ["fifth", "middleware", 4],
      ["getItem", "handler", 5],
    ]);
    const third = node(data, "third");
    expect(third.durationMs).toBeGreaterThanOrEqual(45);
    expect(third.downstreamMs).toBe(third.durationMs);
    for (const other of ["first", "second", "fourth", "fifth"])
      expect(node(data, other).durationMs).toBeLessThan(third.durationMs);
    expect(node(data, "fourth").path).toBe("/api/*");
    expect(node(data, "getItem")).toMatchObject({ path: "/api/items/:id" });
    expect(node(data, "getItem").durationMs).toBeGreaterThanOrEqual(8);
    // Hono still reads its own routing state: the route pattern and params are right.
    const record = await recordFor(mw.glassbox!, res);
    expect(record.route).toBe("/api/items/:id");
    expect(record.timeline.filter((t) => t.panel === "events")).toHaveLength(6);
    await mw.glassbox!.close();
  });
});
