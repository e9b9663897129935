import { createServer } from "node:http";
import express, { type Express } from "express";
import { glassbox } from "../../src/adapters/express.js";
import type { GlassboxOptions } from "../../src/core/config.js";
import type { Glassbox } from "../../src/core/glassbox.js";
import type { Alert, GlassboxRecord } from "../../src/core/record.js";
import { listen, type Running, recordFor, testOptions } from "../helpers/http.js";

export interface AlertsApp {
  running: Running;
  warnings: string[];
  glassbox: Glassbox;
  /** Fetches a path and returns the stored record for it. */
  get(path: string, init?: RequestInit): Promise<GlassboxRecord>;
  close(): Promise<void>;
}

/** An Express app with glassbox first, then `build` adds the app's own middleware and routes. */
export async function alertsApp(
  build: (app: Express) => void,
  options: GlassboxOptions = {},
): Promise<AlertsApp> {
  const warnings: string[] = [];
  const mw = glassbox({ ...testOptions(warnings), ...options });
  const app = express();
  app.use(mw);
  build(app);
  const running = await listen(createServer(app));
  return {
    running,
    warnings,
    glassbox: mw.glassbox!,
    async get(path, init) {
      const res = await fetch(`${running.url}${path}`, init);
      await res.arrayBuffer();
      return recordFor(mw.glassbox!, res);
    },
    async close() {
      await running.close();
      await mw.glassbox!.close();
    },
  };
}

export const rules = (record: GlassboxRecord): string[] => record.alerts.map((a) => a.rule);

export const alertsOf = (record: GlassboxRecord, rule: string): Alert[] =>
  record.alerts.filter((a) => a.rule === rule);

export const PAGE = "<!doctype html><html><head><title>t</title></head><body><h1>hello</h1></body></html>";
