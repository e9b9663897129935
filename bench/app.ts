/**
 * One app under load, in its own process: `node --import tsx bench/app.ts <framework> <variant>`.
 * Prints `READY <port>` when listening. Variants:
 *   bare      the framework alone
 *   control   the same as bare, in a second process: its ratio to bare is the run's own noise
 *   als       bare + one AsyncLocalStorage.run per request: the floor any per-request context pays
 *   spin@3    bare + 3 µs of busy work per request: how much a known cost moves the figures here
 *   glassbox  glassbox with its default panels and default store (SQLite, written behind)
 *   everything  the same with `overhead: false`: every request recorded, whatever it costs
 *   disabled  glassbox({ enabled: false })
 *   glassbox@0.005  glassbox with that overhead budget (and quietRate 0): compare budgets in one run
 * BENCH_PROFILE=<file> makes SIGUSR2 start the CPU profiler and SIGINT write the profile there;
 * BENCH_HEAP_SAMPLE=<file> the same with the sampling heap profiler, keeping objects a full
 * collection freed and leaving out those a scavenge freed (bench/survivors.ts), and
 * BENCH_TRACE_PRETENURING=1 prints V8's pretenuring decisions on stdout; BENCH_V8_FLAGS sets
 * other V8 flags (comma-separated).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { records } from "./app-process.js";

// tsx, which runs this file, turns source maps on; a built app run as `node app.js` has them
// off. Off here too: tsx's resolver formats a stack on every require, and with maps on, the first
// require from inside glassbox made Node parse and keep its dist's maps, 5.4 MB more heap in the
// glassbox variants than in bare (docs/benchmarks.md). BENCH_SOURCE_MAPS=1 keeps them on.
if (!process.env.BENCH_SOURCE_MAPS) process.setSourceMapsEnabled(false);
// BENCH_V8_FLAGS=--trace-opt,--trace-deopt: V8 flags for one variant, comma-separated (bench/deopts.ts).
if (process.env.BENCH_V8_FLAGS) setFlagsFromString(process.env.BENCH_V8_FLAGS.split(",").join(" "));
if (process.env.BENCH_TRACE_PRETENURING)
  setFlagsFromString("--trace-pretenuring --trace-pretenuring-statistics");
const [framework = "express", variantArg = "bare"] = process.argv.slice(2);
const [variant, budgetArg] = variantArg.split("@") as [string, string | undefined];
// For experiments: BENCH_BUDGET=0.000001 (nothing but the skip path), or a variant glassbox@0.05;
// BENCH_BURST=3 shrinks the burst allowance (fewer requests recorded at start).
const budget = budgetArg ?? process.env.BENCH_BUDGET;
const burst = process.env.BENCH_BURST ? { burstMs: Number(process.env.BENCH_BURST) } : {};
// The built package by default (what users run; `npm run build` first); BENCH_SOURCE=src for the sources.
const SOURCE = process.env.BENCH_SOURCE === "src" ? "../src" : "../dist";
const dir = mkdtempSync(join(tmpdir(), "glassbox-bench-"));
const recorded = records(variant);
const options = {
  enabled: variant !== "disabled",
  ...(variant === "everything" ? { overhead: false as const } : {}),
  ...(variant === "glassbox" && budget
    ? { overhead: { budget: Number(budget), quietRate: 0, ...burst } }
    : {}),
  store: {
    path:
      process.env.BENCH_STORE === "memory"
        ? (false as const)
        : process.env.BENCH_STORE === "sqlite-memory"
          ? ":memory:"
          : join(dir, "glassbox.db"),
  },
  logger: { warn: () => {} },
  // For finding what costs what: BENCH_DISABLE=alerts,events (alerts+events inside a variant)
  disablePanels: process.env.BENCH_DISABLE ? process.env.BENCH_DISABLE.split(/[,+]/) : [],
  ...(process.env.BENCH_NO_HEADERS ? { serverTiming: false, toolbar: false } : {}),
};
const als = new AsyncLocalStorage<object>();
// BENCH_ALS_ONCE=1: one AsyncLocalStorage.run at start, then disabled (what having used it once costs).
if (process.env.BENCH_ALS_ONCE) {
  als.run({}, () => {});
  als.disable();
}
// BENCH_ALS_PULSE=250: every that many ms one request runs inside AsyncLocalStorage.run and the
// next one switches it off again (the storage toggling of a sampled recording, without glassbox).
const pulseMs = Number(process.env.BENCH_ALS_PULSE ?? 0);
let nextPulse = 0;
function pulse(next: () => void): void {
  const now = performance.now();
  if (now >= nextPulse) {
    nextPulse = now + pulseMs;
    als.run({}, next);
    return;
  }
  als.disable();
  next();
}
const spinMs = Number(budgetArg ?? 0) / 1000;
/** Busy-waits spin@N's N microseconds (returns undefined, so `next(spin())` passes no error). */
function spin(): undefined {
  const until = performance.now() + spinMs;
  while (performance.now() < until);
  return undefined;
}
const payload = { hello: "world", items: [1, 2, 3], nested: { ok: true, n: 42 } };

/** A pg pool for the /pg route (one small query per request); instrumented when glassbox is on. */
async function pgPool(): Promise<
  { query(sql: string, params: unknown[]): Promise<{ rows: unknown[] }> } | undefined
> {
  if (!process.env.BENCH_PG) return undefined;
  const { default: pg } = await import("pg");
  // BENCH_INSTRUMENT_PG=1: the pg instrumentation in any variant (bare~BENCH_INSTRUMENT_PG=1 has no glassbox running).
  if ((recorded && !process.env.BENCH_NO_SQL) || process.env.BENCH_INSTRUMENT_PG) {
    const { instrumentPg } = await import(`${SOURCE}/index.js`);
    instrumentPg(pg);
  }
  return new pg.Pool({ host: "127.0.0.1", user: "postgres", database: "test", max: 10 });
}
const pool = await pgPool();
// BENCH_BALLAST=20: keep about that many MB of small objects alive (what a bigger heap alone costs).
const ballast = Array.from({ length: Number(process.env.BENCH_BALLAST ?? 0) * 10_000 }, (_, i) => ({
  i,
  name: `item ${i}`,
  tags: [i, i + 1],
}));
if (ballast.length) process.stderr.write(`ballast ${ballast.length} objects\n`);
// BENCH_LOAD=1: load the glassbox package and use nothing of it (what loading alone costs).
if (process.env.BENCH_LOAD) await import(`${SOURCE}/adapters/${framework}.js`);
const pgQuery = async () => (await pool!.query("SELECT $1::int AS n, now() AS at", [42])).rows[0];

async function express(): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
  const { default: expressFactory } = await import("express");
  const app = expressFactory();
  app.set("etag", false);
  if (variant === "als") app.use((_req, _res, next) => als.run({}, next));
  if (pulseMs) app.use((_req, _res, next) => pulse(next));
  if (variant === "spin") app.use((_req, _res, next) => next(spin()));
  if (recorded || variant === "disabled") {
    const { glassbox } = await import(`${SOURCE}/adapters/express.js`);
    app.use(glassbox(options));
  }
  app.get("/hello", (_req, res) => {
    res.send("hello");
  });
  app.get("/json", (_req, res) => {
    res.json(payload);
  });
  app.get("/pg", async (_req, res) => {
    res.json(await pgQuery());
  });
  return app;
}

async function fastify(): Promise<number> {
  const { default: fastifyFactory } = await import("fastify");
  const app = fastifyFactory();
  if (variant === "als") app.addHook("onRequest", (_req, _reply, done) => als.run({}, done));
  if (pulseMs) app.addHook("onRequest", (_req, _reply, done) => pulse(done));
  if (variant === "spin") app.addHook("onRequest", (_req, _reply, done) => done(spin()));
  if (recorded || variant === "disabled") {
    const { glassbox } = await import(`${SOURCE}/adapters/fastify.js`);
    await app.register(glassbox(options));
  }
  app.get("/hello", async () => "hello");
  app.get("/json", async () => payload);
  app.get("/pg", pgQuery);
  await app.listen({ port: 0, host: "127.0.0.1" });
  return (app.server.address() as AddressInfo).port;
}

async function main(): Promise<void> {
  let port: number;
  if (framework === "express") {
    const server = createServer(await express());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  } else if (framework === "fastify") {
    port = await fastify();
  } else throw new Error(`unknown framework ${framework}`);
  process.stdout.write(`READY ${port}\n`);
}

// Exit normally on SIGINT/SIGTERM so --cpu-prof can write its profile.
// Each round starts fresh processes: remove this one's store directory on the way out.
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
process.on("SIGTERM", () => process.exit(0));
if (process.env.BENCH_PROFILE) await profileOnSignal(process.env.BENCH_PROFILE, "cpu");
else if (process.env.BENCH_HEAP_SAMPLE) await profileOnSignal(process.env.BENCH_HEAP_SAMPLE, "heap");
else process.on("SIGINT", () => process.exit(0));

/**
 * For bench/profile.ts and bench/survivors.ts: SIGUSR2 starts the profiler, SIGINT writes the
 * profile to `file` and exits, so the profile holds the measured load alone (no start-up, no
 * warm-up).
 */
async function profileOnSignal(file: string, kind: "cpu" | "heap"): Promise<void> {
  const { Session } = await import("node:inspector/promises");
  const { writeFileSync } = await import("node:fs");
  const session = new Session();
  session.connect();
  if (kind === "cpu") {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 50 });
  }
  // Not in Node's protocol types yet: V8 keeps samples of objects a full collection freed (old
  // generation garbage) and, with the other flag false, drops those a scavenge freed.
  const heapSampling = {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: false,
  };
  process.on("SIGUSR2", () => {
    void (kind === "cpu"
      ? session.post("Profiler.start")
      : session.post("HeapProfiler.startSampling", heapSampling));
  });
  process.on("SIGINT", async () => {
    const { profile } =
      kind === "cpu" ? await session.post("Profiler.stop") : await session.post("HeapProfiler.stopSampling");
    writeFileSync(file, JSON.stringify(profile));
    process.exit(0);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
