import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener, serve } from "@hono/node-server";
import { Hono } from "hono";
import { compress } from "hono/compress";
import { HTTPException } from "hono/http-exception";
import { stream } from "hono/streaming";
import { afterEach, describe, expect, it } from "vitest";
import { type GlassboxHonoOptions, glassbox } from "../../src/adapters/hono.js";
import type { Glassbox } from "../../src/core/glassbox.js";
import { listen, recordFor, testOptions } from "../helpers/http.js";
import { delay, describeAcceptance, PAGE, randomDelay, type StartedApp, writeStream } from "./acceptance.js";

/** Serves a Hono app with @hono/node-server on an ephemeral loopback port. */
async function serveApp(app: Hono, gb: Glassbox, frameworkErrors: unknown[] = []): Promise<StartedApp> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        glassbox: gb,
        frameworkErrors,
        close: () =>
          new Promise<void>((done) => {
            if ("closeAllConnections" in server) server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** The acceptance routes (see acceptance.ts) in Hono's idiom, glassbox registered first. */
function acceptanceApp(options: GlassboxHonoOptions = testOptions()): {
  app: Hono;
  gb: Glassbox;
  errors: unknown[];
} {
  const app = new Hono();
  const mw = glassbox({ ...options, app });
  const errors: unknown[] = [];
  app.use(mw);
  app.get("/users/:id", async (c) => {
    await delay(15);
    console.log("loading user", c.req.param("id"));
    return c.json({ id: c.req.param("id") });
  });
  app.get("/sync-error", () => {
    throw new Error("sync boom");
  });
  app.get("/async-error", async () => {
    await delay(1);
    throw new Error("async boom");
  });
  app.get("/token/:token", async (c) => {
    await randomDelay();
    console.log(`token ${c.req.param("token")}`);
    await randomDelay();
    return c.json({ token: c.req.param("token") });
  });
  app.get("/page", (c) => c.html(PAGE));
  app.get("/json", (c) => c.json({ ok: true }));
  app.get("/not-modified", (c) => c.body(null, 304, { "content-type": "text/html" }));
  app.get("/stream", (c) => {
    c.header("content-type", "text/html; charset=utf-8");
    return stream(c, (s) => writeStream((chunk) => s.write(chunk)));
  });
  app.onError((error, c) => {
    errors.push(error);
    return c.text(`handled: ${error.message}`, 500);
  });
  return { app, gb: mw.glassbox!, errors };
}

describeAcceptance("hono", {
  start: () => {
    const { app, gb, errors } = acceptanceApp();
    return serveApp(app, gb, errors);
  },
  patterns: { user: "/users/:id", syncError: "/sync-error", asyncError: "/async-error" },
});

describe("hono adapter", () => {
  let running: StartedApp | undefined;
  afterEach(async () => {
    await running?.close();
    await running?.glassbox.close();
    running = undefined;
  });

  it("reports the full pattern and params of a route in a sub-app", async () => {
    const app = new Hono();
    const mw = glassbox({ ...testOptions(), app });
    app.use(mw);
    const api = new Hono();
    api.get("/users/:id/posts/:post", (c) => c.json(c.req.param()));
    app.route("/api", api);
    running = await serveApp(app, mw.glassbox!);
    const res = await fetch(`${running.url}/api/users/7/posts/9`);
    expect(await res.json()).toEqual({ id: "7", post: "9" });
    const record = await recordFor(mw.glassbox!, res);
    expect(record.route).toBe("/api/users/:id/posts/:post");
    expect(record.panels.request?.data).toMatchObject({ params: { id: "7", post: "9" } });
  });

  it("has no route for a request nothing matched", async () => {
    const app = new Hono();
    const mw = glassbox({ ...testOptions(), app });
    app.use(mw);
    app.get("/", (c) => c.text("home"));
    running = await serveApp(app, mw.glassbox!);
    const res = await fetch(`${running.url}/nowhere`);
    expect(res.status).toBe(404);
    const record = await recordFor(mw.glassbox!, res);
    expect(record.status).toBe(404);
    expect(record.route).toBeUndefined();
  });

  it("lists the app's routes with their handlers, without middleware", async () => {
    const app = new Hono();
    const mw = glassbox({ ...testOptions(), app });
    app.use(mw);
    app.get("/users/:id", function getUser(c) {
      return c.text(c.req.param("id"));
    });
    app.post("/users", function createUser(c) {
      return c.text("ok", 201);
    });
    running = await serveApp(app, mw.glassbox!);
    const res = await fetch(`${running.url}/users/1`);
    const record = await recordFor(mw.glassbox!, res);
    const routes = (record.panels.routes!.data as { routes: unknown[] }).routes;
    expect(routes).toEqual([
      { method: "GET", path: "/users/:id", handlers: ["getUser"] },
      { method: "POST", path: "/users", handlers: ["createUser"] },
    ]);
    expect(record.panels.routes?.data).toMatchObject({ framework: "hono", matched: "/users/:id" });
  });

  it("records an HTTPException with its status, answered by Hono's default handler", async () => {
    const app = new Hono();
    const mw = glassbox({ ...testOptions(), app });
    app.use(mw);
    app.get("/secret", () => {
      throw new HTTPException(403, { message: "no entry" });
    });
    running = await serveApp(app, mw.glassbox!);
    const res = await fetch(`${running.url}/secret`);
    expect(res.status).toBe(403);
    expect(await res.text()).toBe("no entry");
    const record = await recordFor(mw.glassbox!, res);
    expect(record.error).toMatchObject({ message: "no entry", status: 403 });
  });

  it("records an error that app.onError throws on, and it still reaches node-server", async () => {
    const app = new Hono();
    const mw = glassbox({ ...testOptions(), app });
    app.use(mw);
    app.get("/worse", () => {
      throw new Error("first failure");
    });
    app.onError((error) => {
      throw new Error(`error handler failed on ${error.message}`);
    });
    const reported: unknown[] = [];
    const listener = getRequestListener(app.fetch, {
      errorHandler: (error) => {
        reported.push(error);
        return new Response("node-server caught it", { status: 500 });
      },
    });
    running = { ...(await listen(createServer(listener))), glassbox: mw.glassbox!, frameworkErrors: [] };
    const res = await fetch(`${running.url}/worse`);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("node-server caught it");
    // Hono hands the handler's failure to onError again at each level; it ends in node-server.
    expect((reported[0] as Error).message).toContain("first failure");
    const record = await recordFor(mw.glassbox!, res);
    expect(record.error?.message).toBe("first failure");
  });

  it("records a thrown value that is not an Error, and Hono still answers 500", async () => {
    const app = new Hono();
    const mw = glassbox({ ...testOptions(), app });
    app.use(mw);
    app.get("/odd", () => {
      throw "a plain string";
    });
    running = await serveApp(app, mw.glassbox!);
    const res = await fetch(`${running.url}/odd`);
    expect(res.status).toBe(500);
    const record = await recordFor(mw.glassbox!, res);
    expect(record.error?.message).toBe("a plain string");
  });

  for (const order of ["before", "after"] as const) {
    it(`keeps a hono/compress page decodable, registered ${order} glassbox`, async () => {
      const warnings: string[] = [];
      const app = new Hono();
      const mw = glassbox({ ...testOptions(warnings), app });
      if (order === "before") app.use(compress());
      app.use(mw);
      if (order === "after") app.use(compress());
      const page = `<!doctype html><html><body>${"<p>a paragraph of text</p>".repeat(400)}</body></html>`;
      app.get("/big", (c) => c.html(page));
      running = await serveApp(app, mw.glassbox!);
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${running.url}/big`, { headers: { "accept-encoding": "gzip" } });
        expect(res.headers.get("content-encoding")).toBe("gzip");
        const body = await res.text();
        const record = await recordFor(mw.glassbox!, res);
        const injection = (record.panels.response!.data as { injection?: string }).injection;
        if (injection === "injected") {
          expect(body.replace(/<script src="\/__glassbox[^>]*><\/script>/, "")).toBe(page);
        } else {
          expect(body).toBe(page);
          expect(warnings.join("\n")).toContain("GBXW001");
        }
      }
    });
  }

  it("serves the dashboard API through the app, including the live event stream", async () => {
    const { app, gb, errors } = acceptanceApp();
    running = await serveApp(app, gb, errors);
    const abort = new AbortController();
    const live = await fetch(`${running.url}/__glassbox/api/stream`, { signal: abort.signal });
    expect(live.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = live.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = (await reader.read()).value ?? "";
    const page = await fetch(`${running.url}/json`);
    await recordFor(gb, page);
    while (!seen.includes("event: request")) seen += (await reader.read()).value ?? "";
    expect(seen).toContain(`"path":"/json"`);
    abort.abort();

    const list = await fetch(`${running.url}/__glassbox/api/requests`);
    expect(list.status).toBe(200);
    expect(list.headers.get("x-glassbox-id")).toBeNull();
    const json = (await list.json()) as { requests: { path: string }[] };
    expect(json.requests.map((r) => r.path)).toEqual(["/json"]);
  });

  it("answers glassbox routes with the app's 404 for a Host it does not know", async () => {
    const { app, gb, errors } = acceptanceApp();
    running = await serveApp(app, gb, errors);
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${running!.url}/__glassbox/api/requests`, {
        headers: { host: "attacker.example" },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(404);
    expect((await gb.store.list({ limit: 0 })).total).toBe(0);
  });

  it("passes through and warns once when not running on @hono/node-server", async () => {
    const warnings: string[] = [];
    const app = new Hono();
    const mw = glassbox({ ...testOptions(warnings), app });
    app.use(mw);
    app.get("/", (c) => c.html("<html><body>edge</body></html>"));
    const first = await app.request("/");
    const second = await app.request("/");
    expect(await first.text()).toBe("<html><body>edge</body></html>");
    expect(second.status).toBe(200);
    expect(first.headers.get("x-glassbox-id")).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("GBXW007");
    await mw.glassbox!.close();
  });

  it("installs nothing when disabled", async () => {
    const app = new Hono();
    const mw = glassbox({ enabled: false });
    expect(mw.glassbox).toBeUndefined();
    app.use(mw);
    app.get("/", (c) => c.html("<html><body>plain</body></html>"));
    const res = await app.request("/");
    expect(await res.text()).toBe("<html><body>plain</body></html>");
  });
});
