// The app the dashboard tests drive: Express with glassbox on a real socket, a few routes that
// log, fail or take time, and a fresh dashboard bundle.

import { createServer } from "node:http";
import express from "express";
import { type GlassboxExpressMiddleware, glassbox } from "../../src/adapters/express.js";
import type { Glassbox } from "../../src/core/glassbox.js";
import { listen, type Running, testOptions } from "../helpers/http.js";

export interface DashboardApp {
  gb: Glassbox;
  running: Running;
  url: string;
  dashboard: string;
  close(): Promise<void>;
}

/** Starts the app; `store` defaults to SQLite in memory behind the ring (the default store's code path). */
export async function startDashboardApp(options: { memoryOnly?: boolean } = {}): Promise<DashboardApp> {
  const base = testOptions();
  const mw: GlassboxExpressMiddleware = glassbox({
    ...base,
    store: { path: options.memoryOnly ? false : ":memory:" },
  });
  const app = express();
  app.use(mw);
  app.get("/users/:id", (req, res) => {
    console.log("loading user", req.params.id);
    res.json({ id: req.params.id });
  });
  app.post("/orders", (_req, res) => {
    console.info("order placed");
    res.status(201).json({ ok: true });
  });
  app.get("/boom", () => {
    throw new Error("kaboom");
  });
  app.get("/slow", async (_req, res) => {
    console.log("slow start");
    await new Promise((r) => setTimeout(r, 60));
    console.log("slow end");
    res.send("done");
  });
  app.get("/echo", (req, res) => {
    console.log(`echo ${String(req.query.q ?? "")}`);
    res.json({ q: req.query.q ?? null });
  });
  const running = await listen(createServer(app));
  return {
    gb: mw.glassbox!,
    running,
    url: running.url,
    dashboard: `${running.url}/__glassbox/`,
    async close() {
      await running.close();
      await mw.glassbox!.close();
    },
  };
}
