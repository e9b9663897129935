import { createServer } from "node:http";
import { networkInterfaces } from "node:os";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import { glassbox as nodeGlassbox } from "../../src/adapters/node-http.js";
import type { GlassboxOptions } from "../../src/core/config.js";
import { GlassboxError } from "../../src/core/errors.js";
import { listen, type Running } from "../helpers/http.js";
import { type RawResponse, send } from "./support.js";

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const APP_404 = "app: no such page";
const PAGE = "<html><body><h1>home</h1></body></html>";

/** An Express app with a page, a JSON route and its own custom 404 handler. */
async function startApp(options: GlassboxOptions, configure?: (app: express.Express) => void, host?: string) {
  const mw = glassbox({ store: { path: false }, logger: { warn: () => {} }, ...options });
  const app = express();
  configure?.(app);
  app.use(mw);
  app.get("/", (_req, res) => res.type("html").send(PAGE));
  app.get("/data", (_req, res) => res.json({ ok: true }));
  app.use((_req, res) => res.status(404).type("text").send(APP_404));
  const running = await listen(createServer(app), host);
  closers.push(
    () => running.close(),
    () => mw.glassbox?.close(),
  );
  return { gb: mw.glassbox!, running };
}

/** Every kind of glassbox route: dashboard, assets, list, detail, health. */
function glassboxRoutes(recordId: string): string[] {
  return [
    "/__glassbox",
    "/__glassbox/",
    "/__glassbox/toolbar.js",
    "/__glassbox/dashboard.js",
    "/__glassbox/api/requests",
    "/__glassbox/api/requests?status=200",
    `/__glassbox/api/requests/${recordId}`,
    "/__glassbox/api/health",
  ];
}

function expectInvisible(res: RawResponse, what: string): void {
  expect(res.headers["x-glassbox-id"], what).toBeUndefined();
  expect(res.headers["server-timing"], what).toBeUndefined();
  expect(res.body, what).not.toContain("__glassbox");
}

/** Makes one recorded request from loopback and returns its id, so detail routes have a real id. */
async function someRecordId(running: Running): Promise<string> {
  const res = await send(running.port, { path: "/data" });
  const id = res.headers["x-glassbox-id"];
  expect(typeof id).toBe("string");
  return id as string;
}

describe("production refusal", () => {
  it("refuses to start under NODE_ENV=production with GBX_ERR_PRODUCTION", () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      for (const start of [
        () => glassbox({ store: { path: false } }),
        () => nodeGlassbox({ store: { path: false } }),
      ]) {
        let thrown: unknown;
        try {
          start();
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(GlassboxError);
        expect((thrown as GlassboxError).code).toBe("GBX_ERR_PRODUCTION");
        expect((thrown as Error).message).toMatch(/allowInProduction/);
      }
      // Disabled glassbox is fine in production: it installs nothing.
      expect(glassbox({ enabled: false }).glassbox).toBeUndefined();
    } finally {
      process.env.NODE_ENV = previous;
    }
  });

  it("starts in production with allowInProduction and still answers loopback only", async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      const { running } = await startApp({ allowInProduction: true }, (app) => app.set("trust proxy", true));
      const local = await send(running.port, { path: "/__glassbox/api/health" });
      expect(local.status).toBe(200);
      const remote = await send(running.port, {
        path: "/__glassbox/api/health",
        headers: { "x-forwarded-for": "203.0.113.7" },
      });
      expect(remote.status).toBe(404);
      expect(remote.body).toBe(APP_404);
    } finally {
      process.env.NODE_ENV = previous;
    }
  });
});

describe("non-loopback clients", () => {
  const remote = { "x-forwarded-for": "203.0.113.7" };

  it("get the app's own 404 on every glassbox route and no toolbar or headers (trusted proxy)", async () => {
    const { gb, running } = await startApp({}, (app) => app.set("trust proxy", true));
    const id = await someRecordId(running);
    for (const path of glassboxRoutes(id)) {
      const res = await send(running.port, { path, headers: remote });
      expect(res.status, path).toBe(404);
      expect(res.body, path).toBe(APP_404);
      expectInvisible(res, path);
    }
    const page = await send(running.port, { path: "/", headers: remote });
    expect(page.status).toBe(200);
    expect(page.body).toBe(PAGE);
    expect(Number(page.headers["content-length"])).toBe(Buffer.byteLength(PAGE));
    expectInvisible(page, "page");
    const json = await send(running.port, { path: "/data", headers: remote });
    expectInvisible(json, "json");

    // Still recorded, for the developer on loopback to see, with the client's address.
    const list = await gb.store.list({ where: [{ field: "path", op: "=", value: "/" }] });
    expect(list.total).toBe(1);
    const record = await gb.store.get(list.records[0]!.id);
    expect((record!.panels.request!.data as { clientIp?: string }).clientIp).toBe("203.0.113.7");
  });

  it("are let in by `allow` (a list or a function)", async () => {
    for (const allow of [["203.0.113.7"], ({ ip }: { ip: string | undefined }) => ip === "203.0.113.7"]) {
      const { running } = await startApp({ allow }, (app) => app.set("trust proxy", true));
      const api = await send(running.port, { path: "/__glassbox/api/health", headers: remote });
      expect(api.status).toBe(200);
      expect(JSON.parse(api.body).ok).toBe(true);
      const page = await send(running.port, { path: "/", headers: remote });
      expect(page.body).toContain('<script src="/__glassbox/toolbar.js"');
      expect(page.headers["x-glassbox-id"]).toBeDefined();
      // Someone else is still refused.
      const other = await send(running.port, {
        path: "/__glassbox/api/health",
        headers: { "x-forwarded-for": "198.51.100.1" },
      });
      expect(other.body).toBe(APP_404);
    }
  });

  it("cannot pretend to be loopback with X-Forwarded-For when the app does not trust proxies", async () => {
    const address = nonLoopbackAddress();
    const { running } = await startApp({}, undefined, address ? "0.0.0.0" : undefined);
    // From loopback, a forwarded address the app does not trust changes nothing.
    const local = await send(running.port, { path: "/__glassbox/api/health", headers: remote });
    expect(local.status).toBe(200);
    if (!address) {
      console.warn("skipping the spoofing half: no non-loopback IPv4 address to connect from");
      return;
    }
    const spoofed = await send(running.port, {
      path: "/__glassbox/api/health",
      headers: { "x-forwarded-for": "127.0.0.1", host: `localhost:${running.port}` },
      host: address,
    });
    expect(spoofed.body).toBe(APP_404);
  });

  it("connecting from a non-loopback address of this machine are refused", async (ctx) => {
    const address = nonLoopbackAddress();
    if (!address) {
      console.warn("skipping: this machine has no non-loopback IPv4 address to connect from");
      ctx.skip();
      return;
    }
    const { running } = await startApp({}, undefined, address);
    // Host names this machine, so only the client address decides.
    const headers = { host: `localhost:${running.port}` };
    for (const path of glassboxRoutes("00000000-0000-0000-0000-000000000000")) {
      const res = await send(running.port, { path, headers, host: address });
      expect(res.body, path).toBe(APP_404);
      expectInvisible(res, path);
    }
    const page = await send(running.port, { path: "/", headers, host: address });
    expect(page.body).toBe(PAGE);
    expectInvisible(page, "page");
  });
});

describe("Host header (DNS rebinding)", () => {
  it("answers 404 on every glassbox route to a loopback request naming another host", async () => {
    const { running } = await startApp({});
    const id = await someRecordId(running);
    for (const path of glassboxRoutes(id)) {
      for (const host of [
        "attacker.example",
        `attacker.example:${running.port}`,
        "127.0.0.1.attacker.example",
      ]) {
        const res = await send(running.port, { path, headers: { host } });
        expect(res.status, `${host} ${path}`).toBe(404);
        expect(res.body, `${host} ${path}`).toBe(APP_404);
        expectInvisible(res, path);
      }
    }
    const page = await send(running.port, { path: "/", headers: { host: "attacker.example" } });
    expect(page.body).toBe(PAGE);
    expectInvisible(page, "page");
  });

  it("answers the local names, and hosts the user lists", async () => {
    const { running } = await startApp({ hosts: ["dev.example.test"] });
    for (const host of [
      `localhost:${running.port}`,
      `127.0.0.1:${running.port}`,
      `[::1]:${running.port}`,
      `app.localhost:${running.port}`,
      `DEV.example.test:${running.port}`,
    ]) {
      const res = await send(running.port, { path: "/__glassbox/api/health", headers: { host } });
      expect(res.status, host).toBe(200);
    }
  });
});

describe("cross-origin state-changing requests", () => {
  it("are refused with the app's 404, same-origin ones reach glassbox", async () => {
    const { running } = await startApp({});
    const self = `http://127.0.0.1:${running.port}`;
    const refused: Record<string, string>[] = [
      { origin: "http://evil.example" },
      { origin: "null" },
      { origin: `http://127.0.0.1:${running.port + 1}` },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { origin: self, "sec-fetch-site": "cross-site" },
    ];
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      for (const headers of refused) {
        const res = await send(running.port, {
          method,
          path: "/__glassbox/api/requests",
          headers: { ...headers, "content-type": "application/json" },
          body: "{}",
        });
        expect(res.status, `${method} ${JSON.stringify(headers)}`).toBe(404);
        expect(res.body, `${method} ${JSON.stringify(headers)}`).toBe(APP_404);
      }
    }
    // The same request from the dashboard's own origin (or no browser at all) is glassbox's to answer.
    const allowed: Record<string, string>[] = [{ origin: self, "sec-fetch-site": "same-origin" }, {}];
    for (const headers of allowed) {
      const res = await send(running.port, {
        method: "POST",
        path: "/__glassbox/api/requests",
        headers,
        body: "{}",
      });
      expect(res.body, JSON.stringify(headers)).not.toBe(APP_404);
      expect(res.headers["content-type"]).toMatch(/json/);
    }
    // Reading is not state-changing: a cross-site GET is answered (CORS keeps the body from the page).
    const read = await send(running.port, {
      path: "/__glassbox/api/health",
      headers: { origin: "http://evil.example", "sec-fetch-site": "cross-site" },
    });
    expect(read.status).toBe(200);
    expect(read.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

function nonLoopbackAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return undefined;
}
