import { createServer } from "node:http";
import Router from "@koa/router";
import Koa from "koa";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/koa.js";
import { listen, type Running, recordFor, testOptions } from "../helpers/http.js";
import { eventsOf, node, sleep } from "./helpers.js";

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe("events panel on koa", () => {
  it("nests five middlewares as an onion, with down and up time", async () => {
    const app = new Koa();
    const mw = glassbox({ ...testOptions(), app });
    app.use(mw);
    app.use(async function first(_ctx, next) {
      await next();
    });
    app.use(async function second(_ctx, next) {
      await next();
      await sleep(20);
    });
    app.use(async function third(_ctx, next) {
      await sleep(50);
      await next();
    });
    app.use(async function fourth(_ctx, next) {
      await next();
    });
    app.use(async function fifth(ctx) {
      ctx.body = { ok: true };
    });
    running = await listen(createServer(app.callback()));
    const res = await fetch(`${running.url}/`);
    expect(await res.json()).toEqual({ ok: true });
    const data = eventsOf(await recordFor(mw.glassbox!, res));

    expect(data.nodes.map((n) => [n.name, n.depth])).toEqual([
      ["first", 0],
      ["second", 1],
      ["third", 2],
      ["fourth", 3],
      ["fifth", 4],
    ]);
    const third = node(data, "third");
    expect(third.downstreamMs).toBeGreaterThanOrEqual(45);
    expect(third.durationMs).toBeGreaterThanOrEqual(third.downstreamMs!);
    for (const other of ["first", "fourth", "fifth"])
      expect(node(data, other).selfMs).toBeLessThan(third.selfMs);
    // Work after next() is up time, and the outer middleware's time includes the inner ones.
    expect(node(data, "second").upstreamMs).toBeGreaterThanOrEqual(15);
    expect(node(data, "first").durationMs).toBeGreaterThanOrEqual(third.durationMs + 15);
    expect(node(data, "first").parentId).toBeUndefined();
    expect(node(data, "second").parentId).toBe(node(data, "first").id);
    await mw.glassbox!.close();
  });

  it("nests a router's route middleware and handler under the router", async () => {
    const app = new Koa();
    const mw = glassbox({ ...testOptions(), app });
    app.use(mw);
    app.use(async function errors(ctx, next) {
      try {
        await next();
      } catch {
        ctx.status = 500;
        ctx.body = "failed";
      }
    });
    const router = new Router({ prefix: "/api" });
    router.get(
      "/users/:id",
      async function loadUser(_ctx, next) {
        await sleep(10);
        await next();
      },
      (ctx) => {
        ctx.body = { id: ctx.params.id };
      },
    );
    router.get("/boom", async function boom() {
      throw new Error("boom");
    });
    app.use(router.routes());
    running = await listen(createServer(app.callback()));

    const res = await fetch(`${running.url}/api/users/3`);
    expect(await res.json()).toEqual({ id: "3" });
    const data = eventsOf(await recordFor(mw.glassbox!, res));
    const routerNode = node(data, "router");
    expect(routerNode).toMatchObject({
      kind: "router",
      path: "/api",
      depth: 1,
      parentId: node(data, "errors").id,
    });
    const load = node(data, "loadUser");
    expect(load).toMatchObject({
      kind: "middleware",
      depth: 2,
      parentId: routerNode.id,
      path: "/api/users/:id",
    });
    expect(load.downstreamMs).toBeGreaterThanOrEqual(8);
    expect(node(data, "GET /api/users/:id")).toMatchObject({ kind: "handler", depth: 3, parentId: load.id });

    const failed = await fetch(`${running.url}/api/boom`);
    expect(failed.status).toBe(500);
    const failedData = eventsOf(await recordFor(mw.glassbox!, failed));
    // The throw is the handler's own; the router only passed it up, the error handler caught it.
    expect(node(failedData, "boom").error).toBe(true);
    expect(node(failedData, "router").error).toBeUndefined();
    expect(node(failedData, "errors").error).toBeUndefined();
    await mw.glassbox!.close();
  });
});
