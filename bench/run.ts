/**
 * HTTP overhead benchmark: `npm run bench` (options: --frameworks express,fastify --routes hello,json,pg
 * --rounds 5 --duration 3 --connections 50 --settle 1).
 *
 * Each variant runs in its own app process (bench/app.ts), started afresh for every round; this
 * process is the load generator (autocannon). After a discarded warm-up, each round samples bare /
 * control / als / spin@3 / glassbox / everything / disabled, in reverse order every other round,
 * so drift hits every variant alike (control is a second bare app: its ratio is the run's own
 * noise; spin@3 is bare plus 3 µs of busy work per request: it shows how far a known small cost
 * moves the ratio on this machine); each sample follows `--settle` seconds of discarded load on
 * the same app (5 s more for the recording variants), so it measures the steady state of a
 * sustained load test, and waits until the app sampled before it is idle (untilIdle).
 *
 * Reports, per variant, the median over rounds of its req/s divided by bare's in the same round
 * (pairs cancel the drift between rounds), the spread of those ratios (25th to 75th percentile),
 * the added microseconds per request (1/rps difference at saturation) and the p50/p99 latency
 * delta. For the glassbox variants it also reports the share of requests recorded: with the
 * default overhead budget glassbox records a sample under saturation; `everything` records them
 * all. The JSON output keeps every sample.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { median } from "../src/core/median.js";
import { recordingCounts, records, startApps, stopApps, untilIdle } from "./app-process.js";

const { values } = parseArgs({
  options: {
    frameworks: { type: "string", default: "express,fastify" },
    routes: { type: "string", default: "hello,json,pg" },
    variants: { type: "string", default: "bare,control,als,spin@3,glassbox,everything,disabled" },
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "3" },
    connections: { type: "string", default: "50" },
    settle: { type: "string", default: "1" },
    out: { type: "string", default: "bench/results/latest.json" },
  },
});

const frameworks = values.frameworks.split(",");
const routes = values.routes.split(",");
const variants = values.variants.split(",");
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);
const settle = Number(values.settle);

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** Share of the sample's requests glassbox recorded (the rest were skipped by its overhead budget). */
  recorded?: number;
}

/** One measured sample; for glassbox variants, also how many of its requests were recorded. */
async function sample(variant: string, port: number, route: string, seconds: number): Promise<Sample> {
  // The app under sustained load, as in a load test. The recording variants settle longer: their
  // burst allowance and the debt it leaves (repaid within 5 s at the default budget) are spent
  // here, so the sample measures their steady state.
  if (settle > 0) await load(port, route, records(variant) ? settle + 5 : settle);
  if (!records(variant)) return load(port, route, seconds);
  const before = await recordingCounts(port);
  const result = await load(port, route, seconds);
  const after = await recordingCounts(port);
  const recorded = after.recorded - before.recorded;
  return { ...result, recorded: recorded / (recorded + after.skipped - before.skipped) };
}

function load(port: number, route: string, seconds: number): Promise<Sample> {
  return new Promise((resolve, reject) => {
    autocannon(
      { url: `http://127.0.0.1:${port}/${route}`, connections, duration: seconds },
      (error, result) => {
        if (error) return reject(error);
        if (result.non2xx > 0 || result.errors > 0)
          return reject(new Error(`${route}: ${result.non2xx} non-2xx, ${result.errors} errors`));
        resolve({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 });
      },
    );
  });
}

/** The q-quantile (0..1) of xs, interpolating between neighbours (for the ratio spread). */
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const low = Math.floor(at);
  return s[low]! + (s[Math.min(low + 1, s.length - 1)]! - s[low]!) * (at - low);
};
const round3 = (x: number) => Number(x.toFixed(3));

interface Row {
  framework: string;
  route: string;
  variant: string;
  rps: number;
  /** Median over rounds of this variant's req/s over bare's in the same round. */
  ratio: number;
  /** 25th and 75th percentiles of those per-round ratios. */
  ratioSpread: [number, number];
  addedUs: number;
  p50: number;
  p99: number;
  p99DeltaMs: number;
  /** Percent of requests recorded, for the glassbox variants. */
  recordedPct?: number;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const allSamples: Record<string, Record<string, Sample[]>> = {};
  for (const framework of frameworks) {
    const samples = new Map(
      routes.map((route) => [route, new Map<string, Sample[]>(variants.map((v) => [v, []]))]),
    );
    for (let r = 0; r < rounds; r++) {
      // Fresh processes every round (see startApps).
      const apps = await startApps(framework, variants, routes.includes("pg"));
      try {
        const order = r % 2 ? [...variants].reverse() : variants;
        for (const route of routes) {
          for (const v of order) await load(apps.get(v)!.port, route, 2); // warm-up, discarded
          for (const v of order) {
            const { child, port } = apps.get(v)!;
            samples
              .get(route)!
              .get(v)!
              .push(await sample(v, port, route, duration));
            await untilIdle(child.pid!);
          }
        }
      } finally {
        await stopApps(apps);
      }
      console.error(`done ${framework} round ${r + 1}/${rounds}`);
    }
    for (const route of routes) {
      const byVariant = samples.get(route)!;
      allSamples[`${framework} /${route}`] = Object.fromEntries(byVariant);
      const bareSamples = byVariant.get("bare")!;
      const bare = median(bareSamples.map((s) => s.rps));
      const bareP99 = median(bareSamples.map((s) => s.p99));
      for (const v of variants) {
        const s = byVariant.get(v)!;
        const rps = median(s.map((x) => x.rps));
        const p99 = median(s.map((x) => x.p99));
        const ratios = s.map((x, r) => x.rps / bareSamples[r]!.rps);
        rows.push({
          framework,
          route,
          variant: v,
          rps: Math.round(rps),
          ratio: round3(median(ratios)),
          ratioSpread: [round3(quantile(ratios, 0.25)), round3(quantile(ratios, 0.75))],
          addedUs: Number(((1 / rps - 1 / bare) * 1e6).toFixed(1)),
          p50: median(s.map((x) => x.p50)),
          p99,
          p99DeltaMs: Number((p99 - bareP99).toFixed(2)),
          ...(records(v)
            ? { recordedPct: Number((median(s.map((x) => x.recorded ?? 0)) * 100).toFixed(2)) }
            : {}),
        });
      }
    }
  }
  const floor = (f: string, r: string) =>
    rows.find((x) => x.framework === f && x.route === r && x.variant === "als")?.addedUs;
  const lines = [
    `| framework | route | variant | req/s | ratio vs bare | ratio spread | µs/req vs bare | µs/req vs ALS floor | recorded % | p50 ms | p99 ms | p99 Δ ms |`,
    `|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|`,
    ...rows.map((r) => {
      const f = floor(r.framework, r.route);
      const vsFloor = f === undefined || r.variant === "bare" ? "" : (r.addedUs - f).toFixed(1);
      return `| ${r.framework} | /${r.route} | ${r.variant} | ${r.rps} | ${r.ratio} | ${r.variant === "bare" ? "" : r.ratioSpread.join("–")} | ${r.addedUs} | ${vsFloor} | ${r.recordedPct ?? ""} | ${r.p50} | ${r.p99} | ${r.p99DeltaMs} |`;
    }),
  ];
  console.log(lines.join("\n"));
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(
    values.out,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rounds, duration, connections, rows, samples: allSamples }, null, 2)}\n`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
