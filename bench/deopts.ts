/**
 * V8 optimizations and deoptimizations in the app while it is under steady load:
 * `npm run bench:deopts` (options: --framework fastify --route pg --variants bare,glassbox
 * --requests 30000 --rounds 3 --top 8).
 *
 * Starts each variant (bench/app.ts) with `--trace-opt --trace-deopt` (BENCH_V8_FLAGS), warms it
 * up, and counts what V8's trace prints while `--requests` more requests are served. At steady
 * state a bare app recompiles little; code that keeps being thrown away and optimized again
 * (an object whose shape or prototype flips while requests run) costs the app time on its main
 * thread and, on a small machine, CPU the compiler threads take from everything else. Counts,
 * not time: they hold on a noisy machine. Lists the functions deoptimized most often, so the
 * cause can be found (docs/benchmarks.md, 2026-12-06).
 */
import { parseArgs } from "node:util";
import { median } from "../src/core/median.js";
import { loadRequests, startAppProcess, stopApps } from "./app-process.js";

const { values } = parseArgs({
  options: {
    framework: { type: "string", default: "fastify" },
    route: { type: "string", default: "pg" },
    variants: { type: "string", default: "bare,glassbox" },
    requests: { type: "string", default: "30000" },
    rounds: { type: "string", default: "3" },
    top: { type: "string", default: "8" },
  },
});

interface Counts {
  optimized: number;
  deoptimized: number;
  /** Deoptimizations by function name. */
  byFunction: Map<string, number>;
}

/** Counts the trace lines V8 printed: completed optimizations and deoptimizations (both kinds). */
function countTrace(trace: string): Counts {
  const byFunction = new Map<string, number>();
  let optimized = 0;
  let deoptimized = 0;
  for (const line of trace.split("\n")) {
    if (line.startsWith("[completed optimizing")) optimized++;
    const bailout = /^\[bailout .*?deoptimizing \S+ <JSFunction (\S*)/.exec(line);
    const dependent = /^\[marking dependent code .*?<SharedFunctionInfo ([^>]*)>.*for deoptimization/.exec(
      line,
    );
    const found = bailout?.[1] ?? dependent?.[1];
    if (found === undefined) continue;
    deoptimized++;
    const name = found || "(anonymous)";
    byFunction.set(name, (byFunction.get(name) ?? 0) + 1);
  }
  return { optimized, deoptimized, byFunction };
}

/** One fresh app: warm-up and settle, then the trace printed while `requests` are served. */
async function measure(variant: string): Promise<Counts> {
  const traced = `${variant}~BENCH_V8_FLAGS=--trace-opt,--trace-deopt`;
  const app = await startAppProcess(values.framework, traced, values.route === "pg");
  let trace = "";
  app.child.stdout!.on("data", (chunk: Buffer) => {
    trace += chunk.toString();
  });
  try {
    await loadRequests(app.port, values.route, 10_000); // warm-up
    await loadRequests(app.port, values.route, 3000); // settle (a recording variant's burst is spent)
    const from = trace.length;
    await loadRequests(app.port, values.route, Number(values.requests));
    return countTrace(trace.slice(from));
  } finally {
    await stopApps(new Map([[variant, app]]));
  }
}

const variants = values.variants.split(",");
const results = new Map<string, Counts[]>(variants.map((v) => [v, []]));
for (let round = 0; round < Number(values.rounds); round++) {
  for (const v of round % 2 ? [...variants].reverse() : variants) results.get(v)!.push(await measure(v));
}
console.log(
  `| variant | optimizations, each round | deoptimizations, each round | median deopts | deoptimized most |`,
);
console.log(`|---|---|---|---:|---|`);
for (const [v, list] of results) {
  const all = new Map<string, number>();
  for (const c of list) for (const [name, n] of c.byFunction) all.set(name, (all.get(name) ?? 0) + n);
  const most = [...all]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(values.top))
    .map(([name, n]) => `${name} ${n}`)
    .join(", ");
  console.log(
    `| ${v} | ${list.map((c) => c.optimized).join(" / ")} | ${list.map((c) => c.deoptimized).join(" / ")} | ${median(list.map((c) => c.deoptimized))} | ${most} |`,
  );
}
