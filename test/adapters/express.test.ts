import { createServer } from "node:http";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import express4 from "express4";
import { afterEach, describe, expect, it, vi } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import { listen, type Running, recordFor, testOptions } from "../helpers/http.js";
import { delay, describeAcceptance, PAGE, randomDelay, writeStream } from "./acceptance.js";

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

type CreateExpress = typeof express;
type Handler = (req: Request, res: Response) => Promise<void>;

/**
 * The acceptance routes (see acceptance.ts) in Express's idiom. Express 4 does not catch promise
 * rejections, so its async handlers pass them to next() as Express 4 apps do; Express 5 gets the
 * bare async function.
 */
function acceptanceApp(createApp: CreateExpress, version: 4 | 5) {
  const mw = glassbox(testOptions());
  const app = createApp();
  const errors: unknown[] = [];
  const route = (fn: Handler) =>
    version === 5 ? fn : (req: Request, res: Response, next: NextFunction) => void fn(req, res).catch(next);
  app.use(mw);
  app.get(
    "/users/:id",
    route(async (req, res) => {
      await delay(15);
      console.log("loading user", req.params.id);
      res.json({ id: req.params.id });
    }),
  );
  app.get("/sync-error", () => {
    throw new Error("sync boom");
  });
  app.get(
    "/async-error",
    route(async () => {
      await delay(1);
      throw new Error("async boom");
    }),
  );
  app.get(
    "/token/:token",
    route(async (req, res) => {
      await randomDelay();
      console.log(`token ${req.params.token}`);
      await randomDelay();
      res.json({ token: req.params.token });
    }),
  );
  app.get("/page", (_req, res) => {
    res.send(PAGE);
  });
  app.get("/json", (_req, res) => {
    res.json({ ok: true });
  });
  app.get("/not-modified", (_req, res) => {
    res.status(304).type("html").end();
  });
  app.get(
    "/stream",
    route(async (_req, res) => {
      res.type("html");
      await writeStream((chunk) => res.write(chunk));
      res.end();
    }),
  );
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    errors.push(error);
    res.status(500).type("text/plain").send(`handled: ${error.message}`);
  });
  return { app, gb: mw.glassbox!, errors };
}

const VERSIONS = [
  { version: 5 as const, createApp: express },
  { version: 4 as const, createApp: express4 as unknown as CreateExpress },
];

for (const { version, createApp } of VERSIONS) {
  describeAcceptance(`express ${version}`, {
    start: async () => {
      const { app, gb, errors } = acceptanceApp(createApp, version);
      return { ...(await listen(createServer(app))), glassbox: gb, frameworkErrors: errors };
    },
    patterns: { user: "/users/:id", syncError: "/sync-error", asyncError: "/async-error" },
  });

  describe(`express ${version}`, () => {
    it("reports the full pattern of a route in a nested router, and lists it", async () => {
      const mw = glassbox(testOptions());
      const app = createApp();
      app.use(mw);
      app.get("/health", (_req, res) => {
        res.send("ok");
      });
      const users = createApp.Router();
      users.get("/:id", function getUser(req, res) {
        res.json({ id: req.params.id });
      });
      const api = createApp.Router();
      api.use("/users", users);
      app.use("/api", api);
      running = await listen(createServer(app));
      // A request that never enters the routers first: the route list must not depend on it.
      await recordFor(mw.glassbox!, await fetch(`${running.url}/health`));
      const res = await fetch(`${running.url}/api/users/7`);
      expect(await res.json()).toEqual({ id: "7" });
      const record = await recordFor(mw.glassbox!, res);
      expect(record.route).toBe("/api/users/:id");
      const routes = (record.panels.routes!.data as { routes: unknown[] }).routes;
      expect(routes).toEqual([
        { method: "GET", path: "/health", handlers: [expect.any(String)] },
        { method: "GET", path: "/api/users/:id", handlers: ["getUser"] },
      ]);
      await mw.glassbox!.close();
    });

    it("keeps a mount path's parameters as a pattern", async () => {
      const mw = glassbox(testOptions());
      const app = createApp();
      app.use(mw);
      const repos = createApp.Router({ mergeParams: true });
      repos.get("/repos/:repo", (req, res) => {
        res.json(req.params);
      });
      app.use("/orgs/:org", repos);
      running = await listen(createServer(app));
      const res = await fetch(`${running.url}/orgs/acme/repos/site`);
      expect(await res.json()).toEqual({ org: "acme", repo: "site" });
      const record = await recordFor(mw.glassbox!, res);
      expect(record.route).toBe("/orgs/:org/repos/:repo");
      const routes = (record.panels.routes!.data as { routes: { path: string }[] }).routes;
      expect(routes.map((r) => r.path)).toEqual(["/orgs/:org/repos/:repo"]);
      await mw.glassbox!.close();
    });

    it("records an error that reaches Express's final handler (no error middleware)", async () => {
      const mw = glassbox(testOptions());
      const app = createApp();
      app.set("env", "test"); // keeps Express from printing the stack
      app.use(mw);
      app.get("/boom", () => {
        throw new Error("unhandled boom");
      });
      running = await listen(createServer(app));
      const res = await fetch(`${running.url}/boom`);
      expect(res.status).toBe(500);
      const record = await recordFor(mw.glassbox!, res);
      expect(record.error?.message).toBe("unhandled boom");
      await mw.glassbox!.close();
    });

    it("records an error passed to next() by middleware", async () => {
      const mw = glassbox(testOptions());
      const app = createApp();
      const errors: unknown[] = [];
      app.use(mw);
      app.use((_req: Request, _res: Response, next: NextFunction) => next(new Error("auth failed")));
      app.get("/", (_req, res) => {
        res.send("unreachable");
      });
      app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
        errors.push(error);
        res.status(401).type("text/plain").send(error.message);
      });
      running = await listen(createServer(app));
      const res = await fetch(`${running.url}/`);
      expect(res.status).toBe(401);
      expect(errors).toHaveLength(1);
      const record = await recordFor(mw.glassbox!, res);
      expect(record.error?.message).toBe("auth failed");
      await mw.glassbox!.close();
    });

    for (const order of ["before", "after"] as const) {
      it(`keeps a compressed page decodable with compression() registered ${order} glassbox`, async () => {
        const warnings: string[] = [];
        const mw = glassbox(testOptions(warnings));
        const app = createApp();
        if (order === "before") app.use(compression());
        app.use(mw);
        if (order === "after") app.use(compression());
        const page = `<!doctype html><html><body>${"<p>a paragraph of text</p>".repeat(400)}</body></html>`;
        app.get("/big", (_req, res) => {
          res.send(page);
        });
        app.get("/streamed", (_req, res) => {
          res.type("html");
          res.write(page.slice(0, 5000));
          setTimeout(() => res.end(page.slice(5000)), 20);
        });
        running = await listen(createServer(app));
        for (const path of ["/big", "/streamed"]) {
          const res = await fetch(`${running.url}${path}`, { headers: { "accept-encoding": "gzip" } });
          expect(res.headers.get("content-encoding")).toBe("gzip");
          const body = await res.text();
          const record = await recordFor(mw.glassbox!, res);
          const injection = (record.panels.response!.data as { injection?: string }).injection;
          if (injection === "injected") {
            expect(body.replace(/<script src="\/__glassbox[^>]*><\/script>/, "")).toBe(page);
          } else {
            expect(body).toBe(page);
            if (path === "/big") expect(warnings.join("\n")).toContain("GBXW001");
          }
          if (path === "/big" && order === "after") expect(injection).toBe("injected");
        }
        await mw.glassbox!.close();
      });
    }
  });
}

describe("express 5: glassbox registered first runs ahead of the router", () => {
  it("leaves the router's stack after the first request and still sees every request once", async () => {
    const mw = glassbox(testOptions());
    const app = express();
    const seen: string[] = [];
    app.use(mw);
    app.use(async (req: Request, _res: Response, next: NextFunction) => {
      seen.push(req.path);
      await delay(5);
      next();
    });
    app.get("/item/:id", (req, res) => {
      res.json({ id: req.params.id });
    });
    expect(app.router.stack[0]?.handle).toBe(mw);
    running = await listen(createServer(app));
    // The first requests arrive together: those already inside the router when glassbox moves
    // must still pass every layer exactly once.
    const first = await Promise.all([1, 2, 3, 4, 5].map((i) => fetch(`${running!.url}/item/${i}`)));
    const later = await fetch(`${running.url}/item/6`);
    expect(app.router.stack.some((layer) => layer.handle === mw)).toBe(false);
    expect([...seen].sort()).toEqual(["/item/1", "/item/2", "/item/3", "/item/4", "/item/5", "/item/6"]);
    for (const res of [...first, later]) {
      const { id } = (await res.json()) as { id: string };
      const record = await recordFor(mw.glassbox!, res);
      expect(record.route).toBe("/item/:id");
      expect((record.panels.request!.data as { params?: unknown }).params).toEqual({ id });
    }
    // glassbox's own routes are still answered, and the app's 404 still follows them.
    expect((await fetch(`${running.url}/__glassbox/api/health`)).status).toBe(200);
    expect((await fetch(`${running.url}/nowhere`)).status).toBe(404);
    await mw.glassbox!.close();
  });

  it("stays a router layer when another middleware comes first", async () => {
    const mw = glassbox(testOptions());
    const app = express();
    app.use((_req: Request, res: Response, next: NextFunction) => {
      res.setHeader("x-first", "1");
      next();
    });
    app.use(mw);
    app.get("/", (_req, res) => {
      res.send("ok");
    });
    running = await listen(createServer(app));
    const res = await fetch(`${running.url}/`);
    expect(res.headers.get("x-first")).toBe("1");
    expect((await recordFor(mw.glassbox!, res)).status).toBe(200);
    expect(app.router.stack[1]?.handle).toBe(mw);
    await mw.glassbox!.close();
  });

  it("lets the request through when glassbox itself fails ahead of the router", async () => {
    const mw = glassbox(testOptions());
    const app = express();
    app.use(mw);
    app.get("/", (_req, res) => {
      res.send("still served");
    });
    running = await listen(createServer(app));
    await fetch(`${running.url}/`); // glassbox moves ahead of the router
    const begin = vi.spyOn(mw.glassbox!, "begin").mockImplementation(() => {
      throw new Error("glassbox broke");
    });
    const res = await fetch(`${running.url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("still served");
    expect(begin).toHaveBeenCalled();
    begin.mockRestore();
    await mw.glassbox!.close();
  });
});
