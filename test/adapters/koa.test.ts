import { createServer } from "node:http";
import { PassThrough } from "node:stream";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { bodyParser } from "@koa/bodyparser";
import Router from "@koa/router";
import Koa from "koa";
import compress from "koa-compress";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/koa.js";
import type { Glassbox } from "../../src/core/glassbox.js";
import { listen, type Running, rawRequest, recordFor, testOptions, waitForRecords } from "../helpers/http.js";
import {
  delay,
  describeAcceptance,
  expectLatePostsIsolated,
  PAGE,
  randomDelay,
  writeStream,
} from "./acceptance.js";

const TOOLBAR = `<script src="/__glassbox/toolbar.js"`;

/** Listens on a loopback port; the caller closes both the server and glassbox. */
function serve(app: Koa): Promise<Running> {
  return listen(createServer(app.callback()));
}

describeAcceptance("koa", {
  async start() {
    const mw = glassbox(testOptions());
    const app = new Koa();
    app.use(mw);
    // The app's error handling, after glassbox as Koa apps usually have it.
    const frameworkErrors: unknown[] = [];
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        frameworkErrors.push(error);
        ctx.status = 500;
        ctx.type = "text/plain";
        ctx.body = `handled: ${(error as Error).message}`;
      }
    });
    const router = new Router();
    router.get("/users/:id", async (ctx) => {
      await delay(15);
      console.log("loading user", ctx.params.id);
      ctx.body = { id: ctx.params.id };
    });
    router.get("/sync-error", () => {
      throw new Error("sync boom");
    });
    router.get("/async-error", async () => {
      await delay(1);
      throw new Error("async boom");
    });
    router.get("/token/:token", async (ctx) => {
      await randomDelay();
      console.log(`token ${ctx.params.token}`);
      await randomDelay();
      ctx.body = { token: ctx.params.token };
    });
    router.get("/page", (ctx) => {
      ctx.type = "html";
      ctx.body = PAGE;
    });
    router.get("/json", (ctx) => {
      ctx.body = { ok: true };
    });
    router.get("/not-modified", (ctx) => {
      ctx.type = "html";
      ctx.status = 304;
    });
    router.get("/stream", (ctx) => {
      const body = new PassThrough();
      void writeStream((chunk) => body.write(chunk)).then(() => body.end());
      ctx.type = "html";
      ctx.body = body;
    });
    app.use(router.routes());
    const running = await serve(app);
    return { url: running.url, glassbox: mw.glassbox!, frameworkErrors, close: running.close };
  },
  patterns: { user: "/users/:id", syncError: "/sync-error", asyncError: "/async-error" },
});

describe("koa adapter", () => {
  let running: Running | undefined;
  let gb: Glassbox | undefined;
  afterEach(async () => {
    await running?.close();
    await gb?.close();
    running = undefined;
    gb = undefined;
  });

  /** A Koa app with glassbox first; `build` adds the rest. */
  async function start(build: (app: Koa) => void, options = testOptions()) {
    const mw = glassbox(options);
    gb = mw.glassbox!;
    const app = new Koa();
    app.silent = true; // Koa's default error log would print the errors these tests throw on purpose.
    app.use(mw);
    build(app);
    running = await serve(app);
    return { url: running.url, gb, app };
  }

  it("reports a nested router's full pattern and params, and lists the routes", async () => {
    const { url, gb } = await start((app) => {
      const items = new Router();
      items.get("/:itemId", (ctx) => {
        ctx.body = { item: ctx.params.itemId };
      });
      const api = new Router({ prefix: "/api" });
      api.use("/shops/:shopId/items", items.routes());
      api.post("/orders", (ctx) => {
        ctx.body = "ok";
      });
      app.use(api.routes());
    });
    const res = await fetch(`${url}/api/shops/7/items/42`);
    expect(await res.json()).toEqual({ item: "42" });
    const record = await recordFor(gb, res);
    expect(record.route).toBe("/api/shops/:shopId/items/:itemId");
    const routes = record.panels.routes?.data as { routes: { method: string; path: string }[] };
    expect(routes.routes.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/shops/:shopId/items/:itemId",
      "POST /api/orders",
    ]);
    const request = record.panels.request?.data as { params?: Record<string, string> } | undefined;
    if (request?.params) expect(request.params).toEqual({ shopId: "7", itemId: "42" });
  });

  it("records an error Koa's own error handling answers, with its status", async () => {
    const koaErrors: unknown[] = [];
    const { url, gb } = await start((app) => {
      app.on("error", (error) => koaErrors.push(error));
      const router = new Router();
      router.get("/conflict", async (ctx) => {
        await delay(1);
        ctx.throw(409, "already there");
      });
      router.get("/crash", () => {
        throw new Error("crash boom");
      });
      app.use(router.routes());
    });
    const conflict = await fetch(`${url}/conflict`);
    expect(conflict.status).toBe(409);
    expect(await conflict.text()).toBe("already there");
    expect((await recordFor(gb, conflict)).error).toMatchObject({ message: "already there", status: 409 });

    const crash = await fetch(`${url}/crash`);
    expect(crash.status).toBe(500);
    const record = await recordFor(gb, crash);
    expect(record.status).toBe(500);
    expect(record.error?.message).toBe("crash boom");
    // Koa's own error handling still saw both.
    expect(koaErrors.map((e) => (e as Error).message)).toEqual(["already there", "crash boom"]);
  });

  it("records an error thrown by plain middleware (no router)", async () => {
    const { url, gb } = await start((app) => {
      app.use(async () => {
        await delay(1);
        throw new Error("middleware boom");
      });
    });
    const res = await fetch(`${url}/anything`);
    expect(res.status).toBe(500);
    expect((await recordFor(gb, res)).error?.message).toBe("middleware boom");
  });

  it("keeps 500 concurrent POSTs apart when bodies arrive after the headers", async () => {
    const realLog = console.log;
    console.log = () => {}; // 1,000 lines of noise; glassbox still records every call.
    try {
      const { url, gb } = await start((app) => {
        app.use(bodyParser());
        app.use(async (ctx, next) => {
          await randomDelay();
          console.log(`before ${(ctx.request.body as { token: string }).token}`);
          await next();
        });
        const router = new Router();
        router.post("/work/:n", async (ctx) => {
          const { token } = ctx.request.body as { token: string };
          await randomDelay();
          console.log(`handler ${token}`);
          await randomDelay();
          ctx.body = { token };
        });
        app.use(router.routes());
      });
      await expectLatePostsIsolated(url, gb, "before");
    } finally {
      console.log = realLog;
    }
  });

  it("with koa-compress, the page decodes and carries the toolbar", async () => {
    const big = PAGE.replace("<h1>page</h1>", `<p>${"lorem ipsum ".repeat(400)}</p>`);
    const warnings: string[] = [];
    const { url, gb } = await start((app) => {
      app.use(compress());
      app.use((ctx) => {
        ctx.type = "html";
        ctx.body = big;
      });
    }, testOptions(warnings));
    for (const encoding of ["gzip", "br"] as const) {
      const res = await rawRequest(`${url}/`, { headers: { "accept-encoding": encoding } });
      expect(res.headers["content-encoding"]).toBe(encoding);
      const html = (encoding === "gzip" ? gunzipSync(res.body) : brotliDecompressSync(res.body)).toString();
      expect(html).toContain(TOOLBAR);
      expect(html.replace(/<script src="\/__glassbox[^>]*><\/script>/, "")).toBe(big);
      const record = await recordFor(gb, String(res.headers["x-glassbox-id"]));
      expect(record.panels.response?.data).toMatchObject({ injection: "injected" });
    }
    expect(warnings).toEqual([]);
  });

  it("serves glassbox's routes without recording them, and answers Koa's 404 to a refused client", async () => {
    const { url, gb } = await start((app) => {
      app.use((ctx) => {
        if (ctx.path === "/") ctx.body = "home";
      });
    });
    const health = await fetch(`${url}/__glassbox/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });

    const refused = await rawRequest(`${url}/__glassbox/api/health`, {
      headers: { host: "attacker.example" },
    });
    expect(refused.status).toBe(404);
    expect(refused.body.toString()).toBe("Not Found");
    expect(refused.headers["x-glassbox-id"]).toBeUndefined();

    await fetch(`${url}/`);
    await waitForRecords(gb, 1);
    await delay(50);
    const page = await gb.store.list({ limit: 10 });
    expect(page.records.map((r) => r.path)).toEqual(["/"]);
  });

  it("takes the client IP from X-Forwarded-For only when app.proxy is set", async () => {
    for (const proxy of [false, true]) {
      const { url, gb } = await start((app) => {
        app.proxy = proxy;
        app.use((ctx) => {
          ctx.type = "html";
          ctx.body = PAGE;
        });
      });
      const res = await fetch(`${url}/`, { headers: { "x-forwarded-for": "203.0.113.9" } });
      const body = await res.text();
      // A client that is not loopback gets no toolbar and no glassbox header.
      expect(body.includes(TOOLBAR)).toBe(!proxy);
      expect(res.headers.get("x-glassbox-id") !== null).toBe(!proxy);
      if (proxy) {
        await waitForRecords(gb, 1);
        const page = await gb.store.list({ limit: 1 });
        expect(page.records[0]?.path).toBe("/");
      }
      await running?.close();
      await gb.close();
      running = undefined;
    }
  });

  it("installs nothing when disabled", async () => {
    const mw = glassbox({ enabled: false });
    expect(mw.glassbox).toBeUndefined();
    const app = new Koa();
    app.use(mw);
    app.use((ctx) => {
      if (ctx.path === "/") ctx.body = "home";
    });
    running = await serve(app);
    const res = await fetch(`${running.url}/`);
    expect(await res.text()).toBe("home");
    expect(res.headers.get("x-glassbox-id")).toBeNull();
    expect((await fetch(`${running.url}/__glassbox/api/health`)).status).toBe(404);
  });
});
