/**
 * What outlives the young generation, per request: `npm run bench:survivors` (options:
 * --framework fastify --route pg --variants bare,glassbox@0.000001,glassbox --warmup 30000
 * --requests 30000 --rounds 2 --top 8).
 *
 * V8 allocates new objects in a small young generation that a scavenge empties cheaply, keeping
 * only survivors. It also learns per allocation site: when nearly all of a site's recent objects
 * survive a scavenge, later objects from that site are allocated in the old generation directly
 * ("pretenuring"), for the rest of the process's life, and only a full collection frees them. A
 * burst of recorded requests can teach it that about Node's own per-request objects, which every
 * later request then pays for.
 *
 * Runs each app (bench/app.ts) afresh per round, warms it up with `--warmup` requests, then
 * samples allocations over `--requests` more with the sampling heap profiler set to keep objects
 * a full collection freed and drop those a scavenge freed: what is left is what outlived the
 * young generation (promoted or pretenured, plus the requests in flight at the end). Reports per
 * variant the sampled bytes per request, V8's pretenuring decisions over the process's life
 * (`--trace-pretenuring-statistics`: sites switched to old-generation allocation), and the
 * allocation sites (function, file and line where it starts) with the most bytes per request.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { median } from "../src/core/median.js";
import { loadRequests, startAppProcess } from "./app-process.js";

const { values } = parseArgs({
  options: {
    framework: { type: "string", default: "fastify" },
    route: { type: "string", default: "pg" },
    variants: { type: "string", default: "bare,glassbox@0.000001,glassbox" },
    warmup: { type: "string", default: "30000" },
    requests: { type: "string", default: "30000" },
    rounds: { type: "string", default: "2" },
    top: { type: "string", default: "8" },
  },
});
const requests = Number(values.requests);

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** Bytes per request by allocating function (name, shortened file, first line). */
function bySite(head: ProfileNode): Map<string, number> {
  const sites = new Map<string, number>();
  const walk = (node: ProfileNode) => {
    if (node.selfSize) {
      const { functionName, url, lineNumber } = node.callFrame;
      const file = url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(dist|src|bench)\//, "$1/");
      const site = `${functionName || "(anonymous)"} ${file || "(native)"}:${lineNumber + 1}`;
      sites.set(site, (sites.get(site) ?? 0) + node.selfSize / requests);
    }
    for (const child of node.children) walk(child);
  };
  walk(head);
  return sites;
}

/** One fresh app: warm-up, then the sampled requests; its sites and pretenuring decisions. */
async function measure(
  variant: string,
  dir: string,
): Promise<{ sites: Map<string, number>; tenured: number }> {
  const file = join(dir, `${variant.replace(/\W/g, "_")}.json`);
  const { child, port } = await startAppProcess(
    values.framework,
    `${variant}~BENCH_HEAP_SAMPLE=${file}~BENCH_TRACE_PRETENURING=1`,
    values.route === "pg",
  );
  let tenured = 0;
  child.stdout!.on("data", (chunk: Buffer) => {
    tenured += chunk.toString().match(/=> tenure\b/g)?.length ?? 0;
  });
  await loadRequests(port, values.route, Number(values.warmup));
  child.kill("SIGUSR2");
  await loadRequests(port, values.route, requests);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  await exited;
  const profile = JSON.parse(readFileSync(file, "utf8")) as { head: ProfileNode };
  return { sites: bySite(profile.head), tenured };
}

const dir = mkdtempSync(join(tmpdir(), "glassbox-survivors-"));
const variants = values.variants.split(",");
const results = new Map(variants.map((v) => [v, [] as { sites: Map<string, number>; tenured: number }[]]));
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const v of round % 2 ? [...variants].reverse() : variants)
      results.get(v)!.push(await measure(v, dir));
    console.error(`done round ${round + 1}/${values.rounds}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const total = (sites: Map<string, number>) => [...sites.values()].reduce((a, b) => a + b, 0);
console.log(
  `| variant | surviving B/request, each round | pretenuring decisions, each round | largest sites (median B/request) |`,
);
console.log(`|---|---|---|---|`);
for (const [v, runs] of results) {
  const names = new Set(runs.flatMap((r) => [...r.sites.keys()]));
  const largest = [...names]
    .map((name) => [name, median(runs.map((r) => r.sites.get(name) ?? 0))] as const)
    .filter(([, bytes]) => bytes >= 1)
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(values.top))
    .map(([name, bytes]) => `${Math.round(bytes)} ${name}`);
  console.log(
    `| ${v} | ${runs.map((r) => Math.round(total(r.sites))).join(" / ")} | ${runs.map((r) => r.tenured).join(" / ")} | ${largest.join("; ")} |`,
  );
}
