// The app the dashboard tests drive: Express with glassbox on a real socket, a few routes that
// log, fail or take time, and a fresh dashboard bundle.

import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import express from "express";
import { type GlassboxExpressMiddleware, glassbox } from "../../src/adapters/express.js";
import type { Glassbox } from "../../src/core/glassbox.js";
import { listen, type Running, testOptions } from "../helpers/http.js";

export const PAYLOADS = [
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "javascript:alert(1)",
];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Rebuilds dist/ui when a UI source is newer than the dashboard bundle (a lone vitest run). */
export function ensureDashboardBuilt(): void {
  const built = ["dist/ui/dashboard.js", "dist/ui/dashboard.css"];
  const oldest = Math.min(...built.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
  const sources = Math.max(newestSource("src/ui"), statSync("scripts/build-ui.mjs").mtimeMs);
  if (sources > oldest) execFileSync(process.execPath, ["scripts/build-ui.mjs"], { stdio: "inherit" });
}

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
