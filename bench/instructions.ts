/**
 * Instructions per request: `npm run bench:instructions` (options: --frameworks express,fastify
 * --route pg --variants bare,glassbox --rounds 2 --warmup 20000 --requests 5000 --parallel 2
 * --keep DIR: keep each callgrind dump in DIR, for callgrind_annotate; --cache-sim: simulate the
 * caches too).
 *
 * Runs each app (bench/app.ts) under valgrind's callgrind, which counts the instructions the
 * process executes (its JIT code, V8's compiler and collector threads, libuv, libc; not the
 * kernel). After `--warmup` discarded requests it counts `--requests` more, from the load
 * generator in this process. The count depends far less than time on what else the machine runs,
 * so on a shared machine it shows a per-request cost that req/s and CPU-time samples bury in noise
 * (not none: at saturation a slower app takes more requests per event-loop turn, and a busy
 * machine slows it; run it on an otherwise idle machine).
 * Apps run `--parallel` at a time (callgrind is slow, about 300 req/s; each app is fresh).
 *
 * Reports per variant the median instructions per request over rounds, bare's median divided by
 * the variant's (the req/s ratio the app would reach if its time were its instructions), and the
 * rounds in which V8 ran object literals with computed keys through the runtime
 * (Runtime_DefineKeyedOwnPropertyInLiteral; process.nextTick's tick objects, docs/benchmarks.md):
 * a JIT state that costs every request thousands of instructions.
 *
 * With `--cache-sim`, callgrind also simulates the first-level and last-level caches (about
 * twice as slow): misses per request, and the cycle estimate KCachegrind shows (an instruction
 * a cycle, a first-level miss 10, a last-level miss 100), which counts what a larger heap or more
 * code costs in memory traffic where this machine has no hardware counters to measure it.
 */
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { median } from "../src/core/median.js";
import { loadRequests, startAppProcess, stopApps } from "./app-process.js";

const run = promisify(execFile);

const { values } = parseArgs({
  options: {
    frameworks: { type: "string", default: "express,fastify" },
    route: { type: "string", default: "pg" },
    variants: { type: "string", default: "bare,glassbox" },
    rounds: { type: "string", default: "2" },
    warmup: { type: "string", default: "20000" },
    requests: { type: "string", default: "5000" },
    parallel: { type: "string", default: "2" },
    keep: { type: "string" },
    "cache-sim": { type: "boolean", default: false },
  },
});
const requests = Number(values.requests);
/** Numbers the kept dumps, so rounds of one variant do not overwrite each other. */
let keptCount = 0;

try {
  execFileSync("valgrind", ["--version"], { stdio: "ignore" });
} catch {
  console.error("bench:instructions needs valgrind (Debian: apt-get install -y valgrind)");
  process.exit(1);
}

interface Count {
  /** Instructions per request. */
  perRequest: number;
  /** Calls of Runtime_DefineKeyedOwnPropertyInLiteral per request. */
  slowLiterals: number;
  /** With --cache-sim: misses per request and the cycle estimate. */
  cache?: CacheCount;
}

interface CacheCount {
  l1Misses: number;
  llMisses: number;
  cycles: number;
}

/**
 * Per request, from a dump's `events:` and `totals:` lines. Callgrind's simulated caches: I1mr,
 * D1mr and D1mw are first-level misses, ILmr, DLmr and DLmw last-level ones.
 */
function cacheCount(dump: string, requests: number): CacheCount | undefined {
  const names = /^events: (.+)$/m.exec(dump)?.[1]?.trim().split(/\s+/);
  const totals = /^totals: (.+)$/m.exec(dump)?.[1]?.trim().split(/\s+/).map(Number);
  if (!names || !totals || !names.includes("D1mr")) return undefined;
  const sum = (events: string[]) => events.reduce((n, e) => n + (totals[names.indexOf(e)] ?? 0), 0);
  const l1Misses = sum(["I1mr", "D1mr", "D1mw"]);
  const llMisses = sum(["ILmr", "DLmr", "DLmw"]);
  const cycles = sum(["Ir"]) + 10 * l1Misses + 100 * llMisses;
  return { l1Misses: l1Misses / requests, llMisses: llMisses / requests, cycles: cycles / requests };
}

/**
 * The same simulated caches on every machine, so figures compare across machines: 32 KB
 * first-level caches, and an 8 MB last-level cache, a core's share of a server's L3 (valgrind
 * would take the host's, which a virtual machine may misreport: 512 MB here).
 */
const CACHES = ["--cache-sim=yes", "--I1=32768,8,64", "--D1=32768,8,64", "--LL=8388608,16,64"];

/** One fresh app under callgrind: warm-up, then the counted requests. */
async function count(framework: string, variant: string): Promise<Count> {
  const dir = mkdtempSync(join(tmpdir(), "glassbox-callgrind-"));
  const file = join(dir, "callgrind.out");
  const under = [
    "valgrind",
    "--tool=callgrind",
    "--quiet",
    "--instr-atstart=no",
    // V8 writes its machine code into anonymous memory, not files: check it all for changes.
    "--smc-check=all-non-file",
    `--callgrind-out-file=${file}`,
    ...(values["cache-sim"] ? CACHES : []),
  ];
  const app = await startAppProcess(framework, variant, values.route === "pg", under);
  const apps = new Map([[variant, app]]);
  try {
    const pid = String(app.child.pid);
    await loadRequests(app.port, values.route, Number(values.warmup));
    await run("callgrind_control", ["--instr=on", pid]);
    await loadRequests(app.port, values.route, requests);
    await run("callgrind_control", ["--instr=off", pid]);
    await run("callgrind_control", ["--dump", pid]);
    let dump = `${file}.1`;
    if (values.keep) {
      mkdirSync(values.keep, { recursive: true });
      const kept = join(values.keep, `${framework}-${variant}-${++keptCount}.callgrind`);
      copyFileSync(dump, kept);
      process.stderr.write(`kept ${kept}\n`);
      dump = kept;
    }
    const text = readFileSync(dump, "utf8");
    const totals = /^totals: (\d+)/m.exec(text);
    if (!totals) throw new Error(`no totals in ${dump}`);
    const { stdout } = await run("callgrind_annotate", ["--tree=caller", dump], { maxBuffer: 256 << 20 });
    // The callers of the runtime function, each "N (x%) < caller (Kx)": sum the call counts K.
    let slow = 0;
    const section = stdout
      .split("\n\n")
      .find((s) => /\*\s+\S*Runtime_DefineKeyedOwnPropertyInLiteral/.test(s));
    for (const m of section?.matchAll(/< .*\((\d[\d,]*)x\)/g) ?? [])
      slow += Number(m[1]!.replaceAll(",", ""));
    const cache = cacheCount(text, requests);
    return {
      perRequest: Number(totals[1]) / requests,
      slowLiterals: slow / requests,
      ...(cache ? { cache } : {}),
    };
  } finally {
    await stopApps(apps);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Thousands, one decimal. */
function kilo(n: number): number {
  return Math.round(n / 100) / 10;
}

/** Runs the jobs `parallel` at a time, keeping their order in the results. */
async function inParallel<T>(jobs: Array<() => Promise<T>>, parallel: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  return results;
}

const variants = values.variants.split(",");
const rows: string[] = [];
for (const framework of values.frameworks.split(",")) {
  const jobs = Array.from({ length: Number(values.rounds) }, () =>
    variants.map((variant) => () => count(framework, variant)),
  ).flat();
  const counts = await inParallel(jobs, Number(values.parallel));
  const byVariant = new Map(variants.map((v, i) => [v, counts.filter((_, j) => j % variants.length === i)]));
  const bare = median(byVariant.get("bare")?.map((c) => c.perRequest) ?? []);
  const bareCycles = median(byVariant.get("bare")?.flatMap((c) => (c.cache ? [c.cache.cycles] : [])) ?? []);
  for (const [variant, list] of byVariant) {
    const perRequest = median(list.map((c) => c.perRequest));
    const slow = list.filter((c) => c.slowLiterals >= 1).length;
    let row = `| ${framework} | /${values.route} | ${variant} | ${list.map((c) => kilo(c.perRequest)).join(" / ")} | ${kilo(perRequest)} | ${bare ? (bare / perRequest).toFixed(3) : ""} | ${slow} of ${list.length} |`;
    if (values["cache-sim"]) {
      const caches = list.flatMap((c) => (c.cache ? [c.cache] : []));
      const cycles = median(caches.map((c) => c.cycles));
      row += ` ${Math.round(median(caches.map((c) => c.l1Misses)))} | ${Math.round(median(caches.map((c) => c.llMisses)))} | ${caches.map((c) => kilo(c.cycles)).join(" / ")} | ${kilo(cycles)} | ${bareCycles ? (bareCycles / cycles).toFixed(3) : ""} |`;
    }
    rows.push(row);
  }
  process.stderr.write(`done ${framework}\n`);
}
const cacheColumns = values["cache-sim"]
  ? [
      " L1 misses/request | LL misses/request | k est. cycles/request, each round | median | bare ÷ variant (cycles) |",
      "---:|---:|---|---:|---:|",
    ]
  : ["", ""];
console.log(
  `| framework | route | variant | k instructions/request, each round | median | bare ÷ variant | rounds with slow literals |${cacheColumns[0]}`,
);
console.log(`|---|---|---|---|---:|---:|---:|${cacheColumns[1]}`);
for (const row of rows) console.log(row);
