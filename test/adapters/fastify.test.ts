import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import fastifyCompress from "@fastify/compress";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/fastify.js";
import type { Glassbox } from "../../src/core/glassbox.js";
import { rawRequest, recordFor, testOptions, waitForRecords } from "../helpers/http.js";
import {
  delay,
  describeAcceptance,
  expectLatePostsIsolated,
  logMessages,
  PAGE,
  randomDelay,
  writeStream,
} from "./acceptance.js";

const TOOLBAR = `<script src="/__glassbox/toolbar.js"`;

describeAcceptance("fastify", {
  async start() {
    const plugin = glassbox(testOptions());
    const app = Fastify();
    await app.register(plugin);
    const frameworkErrors: unknown[] = [];
    app.setErrorHandler((error, _request, reply) => {
      frameworkErrors.push(error);
      reply
        .code(500)
        .type("text/plain")
        .send(`handled: ${(error as Error).message}`);
    });
    app.get("/users/:id", async (request) => {
      await delay(15);
      const { id } = request.params as { id: string };
      console.log("loading user", id);
      return { id };
    });
    app.get("/sync-error", () => {
      throw new Error("sync boom");
    });
    app.get("/async-error", async () => {
      await delay(1);
      throw new Error("async boom");
    });
    app.get("/token/:token", async (request) => {
      const { token } = request.params as { token: string };
      await randomDelay();
      console.log(`token ${token}`);
      await randomDelay();
      return { token };
    });
    app.get("/page", (_request, reply) => reply.type("text/html; charset=utf-8").send(PAGE));
    app.get("/json", async () => ({ ok: true }));
    app.get("/not-modified", (_request, reply) => reply.code(304).type("text/html").send());
    app.get("/stream", (_request, reply) => {
      const body = new PassThrough();
      void writeStream((chunk) => body.write(chunk)).then(() => body.end());
      return reply.type("text/html").send(body);
    });
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    return { url, glassbox: plugin.glassbox!, frameworkErrors, close: () => app.close() };
  },
  patterns: { user: "/users/:id", syncError: "/sync-error", asyncError: "/async-error" },
});

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A Fastify app with glassbox registered first, listening on a loopback port. */
async function start(
  routes: (app: FastifyInstance) => void | Promise<void>,
  options = testOptions(),
  fastifyOptions: { trustProxy?: boolean } = {},
): Promise<{ url: string; gb: Glassbox }> {
  const plugin = glassbox(options);
  app = Fastify(fastifyOptions);
  await app.register(plugin);
  await routes(app);
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url, gb: plugin.glassbox! };
}

describe("fastify adapter", () => {
  it("records method, route pattern, params, status and duration", async () => {
    const { url, gb } = await start((app) => {
      app.get("/users/:id", async (request) => {
        const { id } = request.params as { id: string };
        console.log("loading user", id);
        return { id };
      });
    });
    expect(app!.glassbox).toBe(gb);
    const res = await fetch(`${url}/users/42?x=1`);
    expect(res.status).toBe(200);
    const record = await recordFor(gb, res);
    expect(record.method).toBe("GET");
    expect(record.route).toBe("/users/:id");
    expect(record.path).toBe("/users/42");
    expect(record.status).toBe(200);
    expect(record.durationMs).toBeGreaterThan(0);
    expect(logMessages(record)).toEqual(["loading user 42"]);
    const routes = record.panels.routes?.data as { routes: { method: string; path: string }[] };
    expect(routes.routes).toContainEqual(expect.objectContaining({ method: "GET", path: "/users/:id" }));
    expect(routes.routes.some((r) => r.method === "HEAD")).toBe(false);
  });

  it("reports the full pattern of a route in a prefixed plugin, and lists it", async () => {
    const { url, gb } = await start(async (app) => {
      await app.register(
        async (api) => {
          api.get("/items/:itemId", async (request) => request.params);
        },
        { prefix: "/api/shops/:shopId" },
      );
    });
    const res = await fetch(`${url}/api/shops/7/items/42`);
    expect(await res.json()).toEqual({ shopId: "7", itemId: "42" });
    const record = await recordFor(gb, res);
    expect(record.route).toBe("/api/shops/:shopId/items/:itemId");
    const routes = record.panels.routes?.data as { routes: { method: string; path: string }[] };
    expect(routes.routes.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/shops/:shopId/items/:itemId",
    ]);
  });

  it("records a 404 without a route", async () => {
    const { url, gb } = await start(() => {});
    const res = await fetch(`${url}/nowhere`);
    expect(res.status).toBe(404);
    const record = await recordFor(gb, res);
    expect(record.status).toBe(404);
    expect(record.route).toBeUndefined();
  });

  it("records handler errors and still hands them to the app's error handler", async () => {
    const handled: string[] = [];
    const { url, gb } = await start((app) => {
      app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
        handled.push(error.message);
        reply.code(error.statusCode ?? 500).send({ handled: error.message });
      });
      app.get("/sync", () => {
        throw new Error("sync boom");
      });
      app.get("/async", async () => {
        await sleep(1);
        throw Object.assign(new Error("async boom"), { statusCode: 409 });
      });
    });

    const sync = await fetch(`${url}/sync`);
    expect(sync.status).toBe(500);
    expect(await sync.json()).toEqual({ handled: "sync boom" });
    const syncRecord = await recordFor(gb, sync);
    expect(syncRecord.error?.message).toBe("sync boom");
    expect(syncRecord.error?.stack).toContain("sync boom");
    expect(syncRecord.status).toBe(500);

    const rejected = await fetch(`${url}/async`);
    expect(rejected.status).toBe(409);
    const asyncRecord = await recordFor(gb, rejected);
    expect(asyncRecord.error).toMatchObject({ message: "async boom", status: 409 });
    expect(asyncRecord.status).toBe(409);
    expect(handled).toEqual(["sync boom", "async boom"]);
  });

  it("leaves Fastify's default error handling in place", async () => {
    const { url, gb } = await start((app) => {
      app.get("/fail", async () => {
        throw new Error("default boom");
      });
    });
    const res = await fetch(`${url}/fail`);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ statusCode: 500, message: "default boom" });
    expect((await recordFor(gb, res)).error?.message).toBe("default boom");
  });

  it("keeps 500 concurrent POSTs apart: each record holds only its own logs", async () => {
    const realLog = console.log;
    console.log = () => {}; // 1,000 lines of test noise; glassbox still records every call.
    try {
      const { url, gb } = await start((app) => {
        app.post(
          "/work/:n",
          {
            preHandler: async (request) => {
              await sleep(Math.random() * 20);
              console.log(`pre ${(request.body as { token: string }).token}`);
            },
          },
          async (request) => {
            const { token } = request.body as { token: string };
            await sleep(Math.random() * 20);
            console.log(`handler ${token}`);
            await sleep(Math.random() * 20);
            return { token };
          },
        );
      });
      await expectLatePostsIsolated(url, gb, "pre");
    } finally {
      console.log = realLog;
    }
  });

  it("injects before @fastify/compress: the page decodes and carries the toolbar", async () => {
    const big = PAGE.replace("<h1>page</h1>", `<p>${"lorem ipsum ".repeat(400)}</p>`);
    // Default options compress small pages in one piece with a Content-Length; syncThreshold 0
    // streams them. Both must come out whole, with the toolbar and without a warning.
    for (const compressOptions of [{ global: true }, { global: true, syncThreshold: 0 }]) {
      for (const encoding of ["gzip", "br"] as const) {
        const warnings: string[] = [];
        const { url, gb } = await start(async (app) => {
          await app.register(fastifyCompress, compressOptions);
          app.get("/", (_request, reply) => reply.type("text/html").send(big));
        }, testOptions(warnings));
        const res = await rawRequest(`${url}/`, { headers: { "accept-encoding": encoding } });
        expect(res.headers["content-encoding"]).toBe(encoding);
        const html = (encoding === "gzip" ? gunzipSync(res.body) : brotliDecompressSync(res.body)).toString();
        expect(html).toContain(TOOLBAR);
        expect(html.replace(/<script src="\/__glassbox[^>]*><\/script>/, "")).toBe(big);
        if (res.headers["content-length"] !== undefined)
          expect(Number(res.headers["content-length"])).toBe(res.body.length);
        const record = await recordFor(gb, String(res.headers["x-glassbox-id"]));
        expect(record.panels.response?.data).toMatchObject({ injection: "injected" });
        expect(warnings).toEqual([]);
        await app!.close();
        app = undefined;
      }
    }
  });

  it("serves glassbox's routes without recording them, and answers Fastify's 404 to a refused client", async () => {
    const { url, gb } = await start((app) => {
      app.get("/", async () => "home");
    });
    const health = await fetch(`${url}/__glassbox/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });

    const refused = await rawRequest(`${url}/__glassbox/api/health`, {
      headers: { host: "attacker.example" },
    });
    expect(refused.status).toBe(404);
    expect(JSON.parse(refused.body.toString())).toMatchObject({ statusCode: 404, error: "Not Found" });
    expect(refused.headers["x-glassbox-id"]).toBeUndefined();

    await fetch(`${url}/`);
    await waitForRecords(gb, 1);
    await sleep(50);
    const page = await gb.store.list({ limit: 10 });
    expect(page.records.map((r) => r.path)).toEqual(["/"]);
  });

  it("takes the client IP from X-Forwarded-For only when Fastify's trustProxy says so", async () => {
    for (const trustProxy of [false, true]) {
      const { url, gb } = await start(
        (app) => {
          app.get("/", (_request, reply) => reply.type("text/html").send(PAGE));
        },
        testOptions(),
        { trustProxy },
      );
      const res = await fetch(`${url}/`, { headers: { "x-forwarded-for": "203.0.113.9" } });
      const body = await res.text();
      // A client that is not loopback gets no toolbar and no glassbox header, but is recorded.
      expect(body.includes(TOOLBAR)).toBe(!trustProxy);
      expect(res.headers.get("x-glassbox-id") !== null).toBe(!trustProxy);
      await waitForRecords(gb, 1);
      const [record] = (await gb.store.list({ limit: 1 })).records;
      expect(record?.path).toBe("/");
      await app!.close();
      app = undefined;
    }
  });

  it("installs nothing when disabled", async () => {
    const plugin = glassbox({ enabled: false });
    expect(plugin.glassbox).toBeUndefined();
    app = Fastify();
    await app.register(plugin);
    app.get("/", async () => "home");
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    expect(app.glassbox).toBeUndefined();
    const res = await fetch(`${url}/`);
    expect(await res.text()).toBe("home");
    expect(res.headers.get("x-glassbox-id")).toBeNull();
    expect((await fetch(`${url}/__glassbox/api/health`)).status).toBe(404);
  });
});
