/**
 * Main-thread CPU per request, the steadier measure when throughput is noisy:
 * `npm run bench:cpu -- --framework express --route pg --variants bare,als,glassbox --requests 30000`.
 *
 * Starts one app process per variant (bench/app.ts, same environment variables: BENCH_BUDGET,
 * BENCH_NO_SQL, BENCH_STORE, ...), drives each with autocannon from this process and reads the app
 * thread's CPU time from /proc (Linux) before and after a fixed number of requests. Every round
 * starts fresh processes and alternates the variants' order; each figure is the median. The whole
 * process's CPU (GC helper threads, libuv pool) is shown beside it, and for the recording variants
 * the requests recorded and the milliseconds glassbox timed itself spending per run (what its
 * overhead budget counts).
 */
import { parseArgs } from "node:util";
import { median } from "../src/core/median.js";
import {
  cpuSeconds,
  loadRequests,
  recordingCounts,
  records,
  startApps,
  stopApps,
  untilIdle,
} from "./app-process.js";

const { values } = parseArgs({
  options: {
    framework: { type: "string", default: "express" },
    route: { type: "string", default: "pg" },
    variants: { type: "string", default: "bare,als,glassbox,disabled" },
    requests: { type: "string", default: "30000" },
    rounds: { type: "string", default: "5" },
  },
});
const variants = values.variants.split(",");
const requests = Number(values.requests);
const main = new Map<string, number[]>(variants.map((v) => [v, []]));
const whole = new Map<string, number[]>(variants.map((v) => [v, []]));
const recorded = new Map<string, number[]>(variants.map((v) => [v, []]));
const measuredMs = new Map<string, number[]>(variants.map((v) => [v, []]));
for (let round = 0; round < Number(values.rounds); round++) {
  // Fresh processes every round (see startApps).
  const apps = await startApps(values.framework, variants, values.route === "pg");
  try {
    for (const v of variants) await loadRequests(apps.get(v)!.port, values.route, 10_000); // warm-up
    for (const v of round % 2 ? [...variants].reverse() : variants) {
      const { child, port } = apps.get(v)!;
      const pid = child.pid!;
      await loadRequests(port, values.route, 3000); // settle
      const counts = records(v) ? await recordingCounts(port) : undefined;
      const [m0, w0] = [cpuSeconds(pid, true), cpuSeconds(pid, false)];
      await loadRequests(port, values.route, requests);
      main.get(v)!.push(((cpuSeconds(pid, true) - m0) * 1e6) / requests);
      whole.get(v)!.push(((cpuSeconds(pid, false) - w0) * 1e6) / requests);
      if (counts) {
        const after = await recordingCounts(port);
        recorded.get(v)!.push(after.recorded - counts.recorded);
        measuredMs.get(v)!.push(after.spentMs - counts.spentMs);
      }
      await untilIdle(pid);
    }
  } finally {
    await stopApps(apps);
  }
}
// "measured ms per run": what glassbox timed itself spending (the overhead budget's input).
console.log(
  `| variant | main-thread CPU µs/request | all threads µs/request | recorded per run | measured ms per run |`,
);
console.log(`|---|---:|---:|---:|---:|`);
for (const v of variants) {
  const counted = recorded.get(v)!;
  console.log(
    `| ${v} | ${median(main.get(v)!).toFixed(1)} | ${median(whole.get(v)!).toFixed(1)} | ${counted.length ? median(counted) : ""} | ${counted.length ? median(measuredMs.get(v)!).toFixed(1) : ""} |`,
  );
}
