import { createServer } from "node:http";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import type { Glassbox } from "../../src/core/glassbox.js";
import type { Alert, GlassboxRecord, RecordSummary } from "../../src/core/record.js";
import { listen, type Running } from "../helpers/http.js";
import { fakeRecord } from "./support.js";

const alert: Alert = { rule: "headers.csp-missing", severity: "warning", message: "no CSP" };
const t0 = Date.now() - 60_000;

/** Seven records, one second apart: r1 is the oldest, r7 the newest. */
const RECORDS: GlassboxRecord[] = [
  fakeRecord({
    id: "r1",
    startedAt: t0 + 1000,
    method: "GET",
    path: "/users/1",
    url: "/users/1",
    route: "/users/:id",
    status: 200,
    durationMs: 12,
    stats: { "log.records": 0 },
  }),
  fakeRecord({
    id: "r2",
    startedAt: t0 + 2000,
    method: "POST",
    path: "/users",
    url: "/users",
    route: "/users",
    status: 201,
    durationMs: 250,
    stats: { "sql.queries": 12, "log.records": 2 },
  }),
  fakeRecord({
    id: "r3",
    startedAt: t0 + 3000,
    method: "GET",
    path: "/api/orders/7",
    url: "/api/orders/7",
    route: "/api/orders/:id",
    status: 500,
    durationMs: 900,
    alerts: [alert],
    stats: { "log.records": 1, "log.errors": 1, "alerts.count": 1 },
  }),
  fakeRecord({
    id: "r4",
    startedAt: t0 + 4000,
    method: "GET",
    path: "/api/orders",
    url: "/api/orders?page=2",
    route: "/api/orders",
    status: 404,
    durationMs: 5,
  }),
  fakeRecord({
    id: "r5",
    startedAt: t0 + 5000,
    method: "DELETE",
    path: "/api/orders/7",
    url: "/api/orders/7",
    route: "/api/orders/:id",
    status: 503,
    durationMs: 40,
    service: "billing",
  }),
  fakeRecord({
    id: "r6",
    startedAt: t0 + 6000,
    kind: "background",
    method: undefined,
    path: undefined,
    url: undefined,
    status: undefined,
    durationMs: 2000,
    stats: { "log.records": 5 },
  }),
  fakeRecord({
    id: "r7",
    startedAt: t0 + 7000,
    method: "GET",
    path: "/static/app.css",
    url: "/static/app.css",
    status: 304,
    durationMs: 1,
  }),
];

interface ListBody {
  requests: RecordSummary[];
  total: number;
}

describe.each([
  ["SQLite store", { path: ":memory:" as const }],
  ["memory store", { path: false as const }],
])("GET /api/requests on the %s", (_name, store) => {
  let running: Running;
  let gb: Glassbox;

  beforeAll(async () => {
    const mw = glassbox({ store, logger: { warn: () => {} } });
    gb = mw.glassbox!;
    const app = express();
    app.use(mw);
    running = await listen(createServer(app));
    // Added out of order: the list must still be newest first by start time.
    for (const r of [...RECORDS].sort((a, b) => a.id.localeCompare(b.id) * (a.durationMs % 2 ? 1 : -1)))
      gb.store.add(r);
    await gb.store.flush();
  });

  afterAll(async () => {
    await running.close();
    await gb.close();
  });

  async function list(query: string): Promise<ListBody> {
    const res = await fetch(`${running.url}/__glassbox/api/requests${query ? `?${query}` : ""}`);
    expect(res.status, query).toBe(200);
    return (await res.json()) as ListBody;
  }

  async function ids(query: string): Promise<string[]> {
    const body = await list(query);
    expect(body.total, query).toBe(body.requests.length);
    return body.requests.map((r) => r.id);
  }

  it("lists request records newest first, with total and summary fields", async () => {
    const body = await list("");
    expect(body.total).toBe(6);
    expect(body.requests.map((r) => r.id)).toEqual(["r7", "r5", "r4", "r3", "r2", "r1"]);
    const r3 = body.requests.find((r) => r.id === "r3")!;
    expect(r3).toMatchObject({
      method: "GET",
      path: "/api/orders/7",
      route: "/api/orders/:id",
      status: 500,
      durationMs: 900,
      alertCount: 1,
      stats: { "log.errors": 1 },
    });
    expect(r3).not.toHaveProperty("panels");
  });

  it.each([
    ["method=post", ["r2"]],
    ["method=GET", ["r7", "r4", "r3", "r1"]],
    ["status=5xx", ["r5", "r3"]],
    ["status=404", ["r4"]],
    ["status=2xx", ["r2", "r1"]],
    ["path=orders", ["r5", "r4", "r3"]],
    ["path=%2Fusers%2F1", ["r1"]],
    ["route=%2Fapi%2Forders%2F%3Aid", ["r5", "r3"]],
    ["route=%2Fapi%2F*", ["r5", "r4", "r3"]],
    ["route=%2Fusers*", ["r2", "r1"]],
    ["minDurationMs=200", ["r3", "r2"]],
    ["minDurationMs=0", ["r7", "r5", "r4", "r3", "r2", "r1"]],
    ["hasAlerts=true", ["r3"]],
    ["hasAlerts=0", ["r7", "r5", "r4", "r2", "r1"]],
    ["service=billing", ["r5"]],
    ["kind=background", ["r6"]],
    ["method=GET&status=5xx&path=orders", ["r3"]],
  ])("filters with %s", async (query, expected) => {
    expect(await ids(query)).toEqual(expected);
  });

  it.each([
    ["log.records:>0", ["r3", "r2"]],
    ["log.errors:1", ["r3"]],
    ["sql.queries:>=10 method:POST", ["r2"]],
    ["sql.queries:0", ["r7", "r5", "r4", "r3", "r1"]],
    ["status:>=500 route:/api/*", ["r5", "r3"]],
    ["status:5xx", ["r5", "r3"]],
    ["status:!=200", ["r7", "r5", "r4", "r3", "r2"]],
    ["duration:>200ms", ["r3", "r2"]],
    ["duration:>0.5s", ["r3"]],
    ["time:<=5", ["r7", "r4"]],
    ["alerts:>0", ["r3"]],
    ["service:billing", ["r5"]],
    ["method:delete", ["r5"]],
    ["orders", ["r5", "r4", "r3"]],
    ['"api/orders/7" method:GET', ["r3"]],
    ["route:/users", ["r2"]],
    ["path:/static", ["r7"]],
  ])("filters with q=%s", async (q, expected) => {
    expect(await ids(`q=${encodeURIComponent(q)}`)).toEqual(expected);
  });

  it("pages with limit and offset, total counting every match", async () => {
    const page = await list("limit=2&offset=1");
    expect(page.total).toBe(6);
    expect(page.requests.map((r) => r.id)).toEqual(["r5", "r4"]);
    const empty = await list("limit=0");
    expect(empty).toEqual({ requests: [], total: 6 });
    const past = await list("offset=100");
    expect(past).toEqual({ requests: [], total: 6 });
  });

  it("ignores a cache-busting _ parameter", async () => {
    expect(await ids("_=1700000000000&sort=status&dir=asc")).toEqual(["r1", "r2", "r7", "r4", "r3", "r5"]);
    const trends = await fetch(`${running.url}/__glassbox/api/trends?_=1700000000000`);
    expect(trends.status).toBe(200);
  });

  it("sorts by another field when asked", async () => {
    expect(await ids("sort=durationMs&dir=desc")).toEqual(["r3", "r2", "r5", "r1", "r4", "r7"]);
    expect(await ids("sort=status&dir=asc")).toEqual(["r1", "r2", "r7", "r4", "r3", "r5"]);
  });

  it.each([
    ["limit=abc", /^limit: /],
    ["limit=5000", /^limit: .*1000/],
    ["offset=-1", /^offset: /],
    ["status=abc", /^status: a status like 404 or a class like 5xx/],
    ["status=600", /^status: /],
    ["minDurationMs=-5", /^minDurationMs: /],
    ["minDurationMs=fast", /^minDurationMs: /],
    ["hasAlerts=maybe", /^hasAlerts: /],
    ["kind=thing", /^kind: /],
    ["sort=nope", /^sort: /],
    ["dir=sideways", /^dir: /],
    ["frobnicate=1", /^frobnicate: unknown parameter/],
    [`q=${encodeURIComponent("colour:red")}`, /^q: "colour:red": unknown field "colour"/],
    [`q=${encodeURIComponent("duration:>fast")}`, /^q: "duration:>fast": expected a number/],
    [`q=${encodeURIComponent("status:")}`, /^q: "status:": missing a value/],
    [`q=${encodeURIComponent("sql.queries:>many")}`, /^q: "sql.queries:>many": expected a number/],
  ])("answers 400 naming the parameter for %s", async (query, message) => {
    const res = await fetch(`${running.url}/__glassbox/api/requests?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const body = (await res.json()) as { error: string };
    expect(body.error).toMatch(message);
  });

  it("serves one whole record by id, and 404 for an unknown or malformed id", async () => {
    const res = await fetch(`${running.url}/__glassbox/api/requests/r3`);
    expect(res.status).toBe(200);
    const record = (await res.json()) as GlassboxRecord;
    expect(record).toMatchObject({ id: "r3", alerts: [alert], panels: {} });
    for (const id of ["nope", "..%2F..%2Fetc", "%E0%A4%A", "x".repeat(200)]) {
      const missing = await fetch(`${running.url}/__glassbox/api/requests/${id}`);
      expect(missing.status, id).toBe(404);
      expect(((await missing.json()) as { error: string }).error).toMatch(/no record with id/);
    }
  });

  it("reports store health", async () => {
    const res = await fetch(`${running.url}/__glassbox/api/health`);
    const body = (await res.json()) as {
      ok: boolean;
      store: { records: number; dropped: number; backend: string };
    };
    expect(body.ok).toBe(true);
    expect(body.store.records).toBe(7);
    expect(body.store.dropped).toBe(0);
    expect(body.store.backend).toBe(store.path === false ? "memory" : "sqlite");
  });
});
