/**
 * Where each variant's time goes, per request: `npm run bench:profile -- --variants bare,glassbox`
 * (options: --framework express --route pg --requests 60000 --warmup 60000 --out bench/results).
 *
 * Starts one app process per variant (bench/app.ts, pinned to CPU 1 when `taskset` exists; this
 * process and its load stay on CPU 0), warms it up, profiles a fixed number of requests with the
 * V8 sampling profiler and prints the profiled microseconds per request by category: glassbox,
 * Express, pg, each Node module, garbage collection, and native frames such as `writev` (the
 * socket write, where the kernel's loopback TCP work lands). The profiles stay in --out for
 * DevTools. Single runs: compare categories across a few runs before trusting a difference.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadRequests, startAppProcess } from "./app-process.js";

const { values } = parseArgs({
  options: {
    framework: { type: "string", default: "express" },
    route: { type: "string", default: "pg" },
    variants: { type: "string", default: "bare,glassbox" },
    requests: { type: "string", default: "60000" },
    warmup: { type: "string", default: "60000" },
    out: { type: "string", default: "bench/results" },
  },
});
const variants = values.variants.split(",");
const requests = Number(values.requests);
const outDir = resolve(values.out);
mkdirSync(outDir, { recursive: true });

interface CallFrame {
  functionName: string;
  url: string;
}
interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples: number[];
  timeDeltas: number[];
}

/** The bucket a frame's time is counted in. */
function category(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName || "(native)";
  if (url.includes("/dist/") && !url.includes("node_modules")) return "glassbox";
  if (url.includes("/bench/")) return "bench app";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg)
    return pkg === "router" || pkg === "express"
      ? "express + router"
      : pkg.startsWith("pg")
        ? "pg"
        : "other packages";
  if (url.startsWith("node:"))
    return url
      .replace(/^node:(internal\/)?/, "node:")
      .split("/")
      .slice(0, 2)
      .join("/");
  return "other";
}

/** Profiled microseconds per request by category, with the busy total (everything but idle). */
function perRequest(file: string): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const totals = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const us = (profile.timeDeltas[i] ?? 0) / requests;
    const name = category(frames.get(id)!);
    totals.set(name, (totals.get(name) ?? 0) + us);
    if (name !== "(idle)") busy += us;
  });
  totals.set("= busy", busy);
  return totals;
}

async function profileVariant(variant: string, run: number): Promise<Map<string, number>> {
  const name = `${values.framework}-${values.route}-${run + 1}-${variant.replace(/[^\w@.=-]+/g, "_")}`;
  const file = join(outDir, `profile-${name}.cpuprofile`);
  process.env.BENCH_PROFILE = file;
  const { child, port } = await startAppProcess(values.framework, variant, values.route === "pg");
  try {
    await loadRequests(port, values.route, Number(values.warmup));
    child.kill("SIGUSR2");
    await new Promise((r) => setTimeout(r, 300));
    await loadRequests(port, values.route, requests);
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGINT");
    await exited;
  }
  return perRequest(file);
}

const pinned = spawnSync("taskset", ["-p", "-c", "0", String(process.pid)]).status === 0;
if (pinned) process.env.BENCH_PIN = "1";
// Variants may repeat (bare,glassbox,bare,glassbox) to see how much a category moves between runs.
const tables: Map<string, number>[] = [];
for (const [i, v] of variants.entries()) tables.push(await profileVariant(v, i));

const first = tables[0]!;
const last = tables.at(-1)!;
const names = [...new Set(tables.flatMap((t) => [...t.keys()]))]
  .filter((n) => tables.some((t) => (t.get(n) ?? 0) >= 0.3))
  .sort((a, b) => (last.get(b) ?? 0) - (first.get(b) ?? 0) - ((last.get(a) ?? 0) - (first.get(a) ?? 0)));
console.log(`${pinned ? "app on CPU 1, load on CPU 0; " : ""}profiled µs per request, ${requests} requests`);
console.log(`| category | ${variants.join(" | ")} |`);
console.log(`|---|${variants.map(() => "---:").join("|")}|`);
for (const n of names) console.log(`| ${n} | ${tables.map((t) => (t.get(n) ?? 0).toFixed(1)).join(" | ")} |`);
