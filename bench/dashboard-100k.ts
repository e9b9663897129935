/**
 * Dashboard at volume: `npm run bench:dashboard` (options: --records 100000 --loads 5).
 *
 * Fills a SQLite store file with realistic request records (spread over 24 hours, 24 routes,
 * SQL and log panels), serves it through an Express app with glassbox, then measures
 *   - the JSON API the list page calls (first page; filtered; sorted), median of several calls;
 *   - the trends API over 24 hours;
 *   - in Debian's Chromium, the time from navigation start until the list's first page of rows is
 *     in the DOM, median of several fresh page loads.
 * Prints a table and writes bench/results/dashboard.json. Not a test: numbers vary by machine.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import express from "express";
import { glassbox } from "../src/adapters/express.js";
import type { GlassboxRecord } from "../src/core/record.js";
import { SqliteRecords } from "../src/store/sqlite.js";
import { ensureUiBuilt, launchBrowser } from "../test/helpers/browser.js";
import { listen } from "../test/helpers/http.js";
import { makeRecord } from "../test/ui/records.js";

const { values } = parseArgs({
  options: {
    records: { type: "string", default: "100000" },
    loads: { type: "string", default: "5" },
    out: { type: "string", default: "bench/results/dashboard.json" },
  },
});
const total = Number(values.records);
const loads = Number(values.loads);

const ROUTES = Array.from({ length: 24 }, (_, i) => `/api/resource${i}/:id`);
let seed = 42;
const random = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};

function fill(path: string): number {
  const started = performance.now();
  const db = new SqliteRecords(path);
  const now = Date.now();
  let batch: GlassboxRecord[] = [];
  for (let i = 0; i < total; i++) {
    const route = ROUTES[Math.floor(random() ** 2 * ROUTES.length)]!;
    const queries = Math.floor(random() * 8);
    batch.push(
      makeRecord({
        id: `bench${String(i).padStart(8, "0")}`,
        method: random() < 0.8 ? "GET" : "POST",
        route,
        path: route.replace(":id", String(Math.floor(random() * 10_000))),
        startedAt: Math.floor(now - random() * 24 * 3_600_000),
        durationMs: Math.round(Math.exp(random() * 6) * 100) / 100,
        status: random() < 0.03 ? 500 : random() < 0.08 ? 404 : 200,
        logs: [`handling ${route}`],
        queries: Array.from({ length: queries }, (_, q) => ({
          sql: `select * from table_${q} where id = ${Math.floor(random() * 1000)}`,
          durationMs: Math.round(random() * 500) / 100,
        })),
      }),
    );
    if (batch.length === 5000) {
      db.write(batch);
      batch = [];
    }
  }
  db.write(batch);
  db.close();
  return performance.now() - started;
}

async function median(times: number, fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  await fn(); // warm-up
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return Math.round(samples[samples.length >> 1]! * 10) / 10;
}

ensureUiBuilt();
const dir = mkdtempSync(join(tmpdir(), "glassbox-bench-"));
const dbPath = join(dir, "glassbox.db");
console.log(`filling ${total.toLocaleString("en-US")} records into ${dbPath} ...`);
const fillMs = fill(dbPath);

const mw = glassbox({
  store: { path: dbPath, maxRecords: total * 2, maxAgeMs: 30 * 24 * 3_600_000 },
  logger: { warn: () => {} },
});
const app = express();
app.use(mw);
const running = await listen(createServer(app));
const api = (query: string) => () =>
  fetch(`${running.url}/__glassbox/api/${query}`).then((r) => {
    if (!r.ok) throw new Error(`${query}: ${r.status}`);
    return r.json();
  });

const results: Record<string, number> = { records: total, fillMs: Math.round(fillMs) };
results.apiFirstPageMs = await median(9, api("requests?limit=50&offset=0&sort=startedAt&dir=desc"));
results.apiStatusFilterMs = await median(9, api("requests?limit=50&status=5xx&sort=startedAt&dir=desc"));
results.apiQueryLanguageMs = await median(
  9,
  api(`requests?limit=50&q=${encodeURIComponent("route:/api/resource1* sql.queries:>5 duration:>20ms")}`),
);
results.apiSortByDurationMs = await median(9, api("requests?limit=50&sort=durationMs&dir=desc"));
results.apiLastPageMs = await median(5, api(`requests?limit=50&offset=${total - 50}`));
results.apiTrends24hMs = await median(5, api("trends?minutes=1440"));

const browser = await launchBrowser();
try {
  const renders: number[] = [];
  for (let i = 0; i < loads + 1; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(`${running.url}/__glassbox/`);
    await page.waitForFunction(
      () => document.querySelectorAll("table.gb-requests tbody tr").length >= 50,
      null,
      {
        polling: "raf",
      },
    );
    const ms = await page.evaluate(() => performance.now());
    if (i > 0) renders.push(ms); // the first load warms the browser's cache and the server
    await page.close();
  }
  renders.sort((a, b) => a - b);
  results.firstPageRenderMs = Math.round(renders[renders.length >> 1]! * 10) / 10;
  results.firstPageRenderMaxMs = Math.round(renders.at(-1)! * 10) / 10;
} finally {
  await browser.close();
  await running.close();
  await mw.glassbox?.close();
  rmSync(dir, { recursive: true, force: true });
}

console.table(results);
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify({ date: new Date().toISOString(), ...results }, null, 2)}\n`);
