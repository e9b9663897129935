/**
 * What each part of recording costs, per request, in CPU microseconds: every panel's finish(),
 * building the whole record, and writing it to SQLite. `npm run bench:record`.
 *
 * It runs in one process with no HTTP, so it isolates glassbox's own work from the framework
 * and the network; CPU time (not wall time) keeps it steady on a busy machine.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RequestContext } from "../src/core/context.js";
import { Glassbox } from "../src/core/glassbox.js";
import { newRecordId } from "../src/core/ids.js";
import { buildRecord } from "../src/core/record-builder.js";
import { SqliteRecords } from "../src/store/sqlite.js";

const N = Number(process.env.N ?? 20_000);
const gb = Glassbox.create({ store: { path: false }, logger: { warn: () => {} } })!;
const payload = '{"hello":"world","items":[1,2,3],"nested":{"ok":true,"n":42}}';

/** A finished context like the one a small JSON route leaves behind. */
function finishedContext(): RequestContext {
  const ctx = new RequestContext({
    id: newRecordId(),
    kind: "request",
    owner: gb,
    traceId: "a".repeat(32),
    spanId: "b".repeat(16),
  });
  ctx.request = {
    method: "GET",
    url: "/json?page=2",
    path: "/json",
    headers: { host: "127.0.0.1:3000", "user-agent": "bench", accept: "*/*", connection: "keep-alive" },
    httpVersion: "1.1",
    remoteAddress: "127.0.0.1",
    clientIp: "127.0.0.1",
  };
  ctx.response = {
    status: 200,
    headers: {
      "x-powered-by": "Express",
      "content-type": "application/json; charset=utf-8",
      "content-length": "61",
      "x-glassbox-id": ctx.id,
    },
    aborted: false,
    body: { text: payload, bytes: 61, truncated: false, encoding: "utf8", contentType: "application/json" },
    bytes: 61,
  };
  ctx.route = "/json";
  ctx.framework = "express";
  ctx.visible = true;
  for (let i = 0; i < gb.panels.length; i++) ctx.panelState[i] = gb.panels[i]!.start?.(ctx);
  ctx.endPerf = ctx.startPerf + 0.2;
  return ctx;
}

function cpuMicros(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

const contexts = Array.from({ length: N }, finishedContext);
// Warm up the JIT on a slice, then measure.
for (const c of contexts.slice(0, 2000)) buildRecord(gb, c);

const rows: [string, number][] = [];
for (let i = 0; i < gb.panels.length; i++) {
  const panel = gb.panels[i]!;
  const earlier = new Map();
  rows.push([
    `panel ${panel.id}`,
    cpuMicros(() => {
      for (const c of contexts) panel.finish(c, c.panelState[i], earlier);
    }) / N,
  ]);
}
let records: ReturnType<typeof buildRecord>[] = [];
rows.push([
  "buildRecord (all panels)",
  cpuMicros(() => {
    records = contexts.map((c) => buildRecord(gb, c));
  }) / N,
]);
const db = new SqliteRecords(join(mkdtempSync(join(tmpdir(), "glassbox-cost-")), "glassbox.db"));
rows.push([
  "SQLite write (batches of 250)",
  cpuMicros(() => {
    for (let i = 0; i < records.length; i += 250) db.write(records.slice(i, i + 250));
  }) / N,
]);
rows.push(["record JSON bytes", JSON.stringify(records[0]).length]);

console.log("| part | CPU µs per request |\n|---|---:|");
for (const [name, us] of rows) console.log(`| ${name} | ${name.includes("bytes") ? us : us.toFixed(2)} |`);
db.close();
await gb.close();
