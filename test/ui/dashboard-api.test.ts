import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { diffQueries, normalizeSql, queryShapes } from "../../src/core/record-diff.js";
import { MemoryStore } from "../../src/store/memory.js";
import { SqliteRecords } from "../../src/store/sqlite.js";
import { WriteBehindStore } from "../../src/store/write-behind.js";
import { waitForRecords } from "../helpers/http.js";
import { type DashboardApp, startDashboardApp } from "./dashboard-app.js";
import { makeRecord } from "./records.js";

let app: DashboardApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Reads server-sent events until `count` events of `type` arrived. */
function readEvents(url: string, type: string, count: number, onOpen: () => void): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const events: unknown[] = [];
    const req = request(url, (res) => {
      expect(res.headers["content-type"]).toContain("text/event-stream");
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.includes(`event: ${type}`)) {
            events.push(
              JSON.parse(
                block
                  .split("\n")
                  .find((l) => l.startsWith("data: "))!
                  .slice(6),
              ),
            );
            if (events.length === count) {
              req.destroy();
              resolve(events);
            }
          }
          if (block.startsWith("retry:")) onOpen();
          end = buffer.indexOf("\n\n");
        }
      });
    });
    req.on("error", (e) => (events.length === count ? undefined : reject(e)));
    req.end();
  });
}

describe("dashboard API", () => {
  it("streams each new request's summary over server-sent events", async () => {
    app = await startDashboardApp();
    const { url } = app;
    const events = await readEvents(`${url}/__glassbox/api/stream`, "request", 2, () => {
      void fetch(`${url}/users/sse-1`).then(() => fetch(`${url}/boom`));
    });
    expect(events).toMatchObject([
      { path: "/users/sse-1", route: "/users/:id", status: 200, alertCount: expect.any(Number) },
      { path: "/boom", status: 500 },
    ]);
    expect(events[0]).not.toHaveProperty("panels");
    // The stream itself is glassbox's own route: never recorded.
    await waitForRecords(app.gb, 2);
    const all = await app.gb.store.list({ limit: 100 });
    expect(all.records.map((r) => r.path)).not.toContain("/__glassbox/api/stream");
  });

  it("answers trends with per-bucket counts and per-route percentiles", async () => {
    app = await startDashboardApp();
    const t0 = Date.UTC(2030, 0, 1, 12, 0, 0);
    for (let i = 0; i < 40; i++) {
      app.gb.store.add(
        makeRecord({
          route: i % 2 ? "/a/:id" : "/b/:id",
          startedAt: t0 + (i % 10) * 60_000,
          durationMs: i + 1,
          status: i === 3 ? 503 : 200,
          stats: { "sql.queries": i % 2 ? 1 : 4 },
        }),
      );
    }
    const res = await fetch(`${app.url}/__glassbox/api/trends?minutes=10`);
    expect(res.status).toBe(200);
    const t = (await res.json()) as Record<string, unknown> & {
      buckets: number[];
      requests: number[];
      errors: number[];
      slowest: Array<{ route: string; p50Ms: number; p95Ms: number; count: number }>;
      mostQueries: Array<{ route: string; avgQueries: number }>;
      series: Array<{ route: string; p50Ms: (number | null)[] }>;
    };
    // The window ends just after the newest request: ten one-minute buckets of four requests.
    expect(t.buckets).toHaveLength(10);
    expect(t.requests).toEqual(new Array(10).fill(4));
    expect(t.errors[3]).toBe(1);
    expect(t.slowest[0]).toMatchObject({ route: "GET /a/:id", count: 20, p50Ms: 20, p95Ms: 38 });
    expect(t.mostQueries[0]).toMatchObject({ route: "GET /b/:id", avgQueries: 4 });
    expect(t.series.map((s) => s.route).sort()).toEqual(["GET /a/:id", "GET /b/:id"]);
    expect(t.series.find((s) => s.route === "GET /a/:id")!.p50Ms[1]).toBe(12);
    expect(t.series.find((s) => s.route === "GET /a/:id")!.p50Ms[0]).toBeNull();

    const bad = await fetch(`${app.url}/__glassbox/api/trends?minutes=abc`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("minutes");
  });

  it("computes the same trends in SQLite and in memory", async () => {
    const memory = new MemoryStore(10_000);
    const sqlite = new WriteBehindStore(new SqliteRecords(":memory:"), {
      ringSize: 100,
      maxRecords: 100_000,
      maxAgeMs: Number.POSITIVE_INFINITY,
      queueLimit: 100_000,
      flushIntervalMs: 1000,
    });
    const t0 = Date.now() - 3_600_000;
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 3000; i++) {
      const route = ["/a", "/b/:id", "/c", undefined][i % 4];
      const r = makeRecord({
        method: i % 5 ? "GET" : "POST",
        route,
        path: `/p/${i % 13}`,
        startedAt: Math.floor(t0 + random() * 3_600_000),
        durationMs: Math.round(random() * 500 * 1000) / 1000,
        status: random() < 0.05 ? 500 : 200,
        stats: { "sql.queries": Math.floor(random() * 20) },
      });
      memory.add(r);
      sqlite.add(r);
    }
    const query = { from: t0, to: t0 + 3_600_000, bucketMs: 120_000 };
    const a = await memory.trends(query);
    const b = await sqlite.trends(query);
    expect(b).toEqual(a);
    expect(a.total).toBe(3000);
    expect(a.series).toHaveLength(5);
    await sqlite.close();
  });

  it("gives a route's baseline: median duration and stats, usual status and usual queries", async () => {
    app = await startDashboardApp();
    const usual = [{ sql: "select * from t where id = 1", durationMs: 2 }];
    for (const [i, d] of [10, 30, 20, 50, 40].entries())
      app.gb.store.add(
        makeRecord({
          route: "/r/:id",
          method: "GET",
          durationMs: d,
          queries: i === 0 ? [...usual, { sql: "select 1", durationMs: 1 }] : usual,
        }),
      );
    app.gb.store.add(makeRecord({ route: "/r/:id", method: "POST", durationMs: 999 }));
    const res = await fetch(
      `${app.url}/__glassbox/api/baseline?route=${encodeURIComponent("/r/:id")}&method=get`,
    );
    const base = (await res.json()) as Record<string, unknown>;
    expect(base).toMatchObject({
      method: "GET",
      route: "/r/:id",
      samples: 5,
      durationMs: 30,
      status: 200,
      stats: { "sql.queries": 1 },
      queries: [{ sql: "select * from t where id = ?", count: 1, share: 1 }],
    });
    expect((await fetch(`${app.url}/__glassbox/api/baseline`)).status).toBe(400);
  });
});

describe("compare helpers", () => {
  it("reduces SQL to its shape", () => {
    expect(normalizeSql("SELECT * FROM users WHERE id = 42 AND name = 'O''Brien'")).toBe(
      "SELECT * FROM users WHERE id = ? AND name = ?",
    );
    expect(normalizeSql("select a from t where id in ($1, $2, $3) -- note\n;")).toBe(
      "select a from t where id in (?)",
    );
    expect(normalizeSql("select t1.a from t1 where x = :name")).toBe("select t1.a from t1 where x = ?");
  });

  it("lines up queries as new, missing, more, fewer or same", () => {
    const shapes = (sqls: string[]) =>
      queryShapes({ sql: { data: { queries: sqls.map((sql) => ({ sql, durationMs: 1 })) } } })!;
    const rows = diffQueries(
      shapes(["select 1", "select * from a where id = 1", "select * from gone"]),
      shapes([
        "select 1",
        "select * from a where id = 2",
        "select * from a where id = 3",
        "select * from fresh",
      ]),
    );
    expect(rows.map((r) => [r.sql, r.change])).toEqual([
      ["select * from fresh", "new"],
      ["select * from gone", "missing"],
      ["select * from a where id = ?", "more"],
      ["select ?", "same"],
    ]);
    expect(queryShapes({ request: { data: {} } })).toBeUndefined();
    expect(queryShapes({ sql: { data: { queries: "not a list" } } })).toBeUndefined();
  });
});
