import { createServer } from "node:http";
import express from "express";
import { type GlassboxExpressMiddleware, glassbox } from "../../src/adapters/express.js";
import { captureCallSite, type StackFrame } from "../../src/core/callsite.js";
import type { GlassboxOptions } from "../../src/core/config.js";
import type { GlassboxRecord } from "../../src/core/record.js";
import type { SqlEvent } from "../../src/instrument/sql-event.js";
import type { SqlPanelData } from "../../src/panels/sql/types.js";
import { listen, type Running, recordFor, testOptions } from "../helpers/http.js";

export interface SqlApp {
  app: express.Express;
  mw: GlassboxExpressMiddleware;
  running: Running;
  /** GETs a path and returns the response with its glassbox record. */
  get(path: string): Promise<{ res: Response; body: string; record: GlassboxRecord }>;
  close(): Promise<void>;
}

/**
 * A real Express app on a real socket with glassbox first. `routes` adds the routes; handler
 * errors are answered as 500 with the error's message so tests can compare it.
 */
export async function startApp(
  routes: (app: express.Express) => void,
  options: GlassboxOptions = {},
): Promise<SqlApp> {
  const mw = glassbox({ ...testOptions(), ...options });
  const app = express();
  app.use(mw);
  routes(app);
  app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: error.message });
  });
  const running = await listen(createServer(app));
  return {
    app,
    mw,
    running,
    async get(path) {
      const res = await fetch(`${running.url}${path}`);
      const body = await res.text();
      const record = await recordFor(mw.glassbox!, res);
      return { res, body, record };
    },
    async close() {
      await running.close();
      await mw.glassbox?.close();
    },
  };
}

export function sqlData(record: GlassboxRecord): SqlPanelData {
  const data = record.panels.sql?.data as SqlPanelData | undefined;
  if (!data)
    throw new Error(`record ${record.id} has no SQL panel data: ${JSON.stringify(record.panels.sql)}`);
  return data;
}

export function queriesOf(record: GlassboxRecord): SqlEvent[] {
  return sqlData(record).queries;
}

const marks = new Map<string, StackFrame>();
const isThisFile = (file: string) => file.endsWith("/test/sql/support.ts");

/**
 * Runs `run` and remembers where `at` was called. Keep `at(...)` and the driver call on one line:
 * the recorded call site must then be that line. (Positions are compared as V8 reports them, so
 * the test does not depend on how the test runner transforms the file.)
 */
export function at<T>(name: string, run: () => T): T {
  const frame = captureCallSite(1, isThisFile).frame;
  if (frame) marks.set(name, frame);
  return run();
}

/** The file and line where `at(name, ...)` ran. */
export function site(name: string): { file: string; line: number } {
  const frame = marks.get(name);
  if (!frame) throw new Error(`no call site marked "${name}"`);
  return { file: frame.file, line: frame.line };
}
