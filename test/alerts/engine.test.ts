import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import { GlassboxError } from "../../src/core/errors.js";
import type { Panel } from "../../src/core/panel.js";
import { defineRule } from "../../src/index.js";
import type { SqlPanelData } from "../../src/panels/sql/types.js";
import { rawRequest, testOptions, waitForRecords } from "../helpers/http.js";
import { type AlertsApp, alertsApp, alertsOf, PAGE, rules } from "./support.js";

let app: AlertsApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe("rule engine", () => {
  it("isolates a rule that throws: reported once, stored as a rule error, request and other rules unaffected", async () => {
    const broken = defineRule({
      id: "app.broken",
      check() {
        throw new Error("rule bug");
      },
    });
    const mine = defineRule({
      id: "app.api-cache-control",
      check: ({ ctx, responseHeader }) =>
        ctx.request?.path.startsWith("/api/") && !responseHeader("cache-control")
          ? {
              severity: "info",
              message: "API response without Cache-Control",
              evidence: { header: "cache-control" },
            }
          : undefined,
    });
    app = await alertsApp((a) => a.get("/api/items", (_req, res) => res.send(PAGE)), {
      alerts: { rules: [broken, mine] },
    });
    const first = await app.get("/api/items");
    const second = await app.get("/api/items");
    expect(first.status).toBe(200);
    for (const record of [first, second]) {
      expect(record.panels.alerts?.data).toMatchObject({
        ruleErrors: [{ rule: "app.broken", error: "rule bug" }],
      });
      expect(record.panels.alerts?.error).toBeUndefined();
      expect(rules(record)).toContain("headers.csp-missing");
      expect(alertsOf(record, "app.api-cache-control")[0]).toMatchObject({
        severity: "info",
        evidence: { header: "cache-control" },
      });
    }
    const reported = app.warnings.filter((w) => w.includes("GBXW008"));
    expect(reported).toHaveLength(1);
    expect(reported[0]).toContain('"app.broken"');
  });

  it("disables rules by id and applies thresholds", async () => {
    app = await alertsApp(
      (a) =>
        a.get("/", async (_req, res) => {
          await sleep(30);
          res.send(PAGE + "x".repeat(2000));
        }),
      {
        alerts: {
          disable: ["headers.csp-missing", "headers.referrer-policy-missing"],
          thresholds: { durationMs: 10, responseBytes: 1000 },
        },
      },
    );
    const record = await app.get("/");
    expect(rules(record)).not.toContain("headers.csp-missing");
    expect(rules(record)).not.toContain("headers.referrer-policy-missing");
    expect(rules(record)).toContain("headers.frame-protection-missing");
    expect(alertsOf(record, "request.slow")[0]?.evidence).toMatchObject({ threshold: 10 });
    expect(alertsOf(record, "response.large")[0]?.evidence).toMatchObject({ threshold: 1000 });
  });

  it("refuses an unknown rule id or a bad threshold at startup, naming the key", () => {
    expect(() => glassbox({ ...testOptions(), alerts: { disable: ["headers.nope"] } })).toThrow(
      /alerts\.disable: no rule has the id "headers\.nope"/,
    );
    expect(() =>
      glassbox({ ...testOptions(), alerts: { thresholds: { anomalyFactor: "3" as unknown as number } } }),
    ).toThrow(/alerts\.thresholds\.anomalyFactor/);
    expect(() => glassbox({ ...testOptions(), alerts: { rules: [{ id: "x" } as never] } })).toThrow(
      GlassboxError,
    );
    expect(() =>
      glassbox({
        ...testOptions(),
        alerts: { rules: [defineRule({ id: "headers.csp-missing", check: () => undefined })] },
      }),
    ).toThrow(/two rules have the id "headers\.csp-missing"/);
  });
});

describe("anomalies", () => {
  it("flags a request much slower than its route's recent median, and keeps history per glassbox instance", async () => {
    let delay = 0;
    app = await alertsApp((a) =>
      a.get("/items/:id", async (_req, res) => {
        if (delay) await sleep(delay);
        res.json({ ok: true });
      }),
    );
    for (let i = 0; i < 6; i++) {
      const record = await app.get(`/items/${i}`);
      expect(rules(record)).not.toContain("anomaly.slow");
    }
    delay = 150;
    const slow = await app.get("/items/99");
    const [alert] = alertsOf(slow, "anomaly.slow");
    expect(alert).toBeDefined();
    expect(alert!.evidence).toMatchObject({ route: "GET /items/:id", samples: 6, factor: 3 });
    expect(Number(alert!.evidence!.durationMs)).toBeGreaterThan(Number(alert!.evidence!.medianMs) * 3);

    // A second glassbox has its own history: too few samples to judge.
    const other = await alertsApp((a) =>
      a.get("/items/:id", async (_req, res) => {
        await sleep(150);
        res.json({ ok: true });
      }),
    );
    try {
      expect(rules(await other.get("/items/1"))).not.toContain("anomaly.slow");
    } finally {
      await other.close();
    }
  });

  it("flags many more queries than the route's median (from the sql.queries stat)", async () => {
    let queries = 1;
    const fakeSql: Panel = { id: "sql", title: "SQL", finish: () => ({ stats: { "sql.queries": queries } }) };
    app = await alertsApp((a) => a.get("/list", (_req, res) => res.json([])), {
      disablePanels: ["sql"],
      panels: [fakeSql],
    });
    for (let i = 0; i < 5; i++) expect(rules(await app.get("/list"))).not.toContain("anomaly.queries");
    queries = 40;
    const [alert] = alertsOf(await app.get("/list"), "anomaly.queries");
    expect(alert?.evidence).toMatchObject({ queries: 40, medianQueries: 1, samples: 5 });
  });
});

describe("rules over other panels' output", () => {
  it("reads the SQL panel's stats and data: slow queries, N+1 groups, duplicates", async () => {
    const data: SqlPanelData = {
      queries: [
        {
          at: 1,
          queryId: "q1",
          system: "postgresql",
          driver: "pg",
          sql: "select * from big",
          durationMs: 480,
        },
      ],
      totalMs: 480,
      duplicates: [{ normalized: "select * from t where id = ?", count: 3, totalMs: 3, queryIds: [] }],
      similar: [],
      nplusone: [
        {
          normalized: "select * from comments where post_id = ?",
          count: 12,
          totalMs: 24,
          queryIds: [],
          suggestion: "Load comments for all posts with WHERE post_id = ANY($1).",
        },
      ],
      slow: ["q1"],
      slowThresholdMs: 100,
    };
    const sqlPanel: Panel = {
      id: "sql",
      title: "SQL",
      finish: () => ({
        data,
        stats: { "sql.queries": 16, "sql.slow": 1, "sql.nplusone": 1, "sql.duplicates": 1 },
      }),
    };
    const asyncPanel: Panel = {
      id: "async-test",
      title: "Async",
      finish: () => ({ stats: { "async.blocked": 2, "async.blockedMaxMs": 80, "eventloop.lagMs": 250 } }),
    };
    app = await alertsApp((a) => a.get("/", (_req, res) => res.json({})), {
      disablePanels: ["sql"],
      panels: [sqlPanel, asyncPanel],
    });
    const record = await app.get("/");
    expect(alertsOf(record, "sql.slow")[0]?.evidence).toMatchObject({
      count: 1,
      thresholdMs: 100,
      sql: "select * from big",
    });
    expect(alertsOf(record, "sql.nplusone")[0]).toMatchObject({
      evidence: { count: 12, sql: "select * from comments where post_id = ?" },
      fix: "Load comments for all posts with WHERE post_id = ANY($1).",
    });
    expect(alertsOf(record, "sql.duplicates")[0]?.evidence).toMatchObject({ times: 3 });
    expect(alertsOf(record, "async.blocked")[0]?.evidence).toMatchObject({ blocked: 2, longestMs: 80 });
    expect(alertsOf(record, "eventloop.lag")[0]?.evidence).toMatchObject({ lagMs: 250, threshold: 100 });
  });

  it("reports a 5xx with the error the handler threw", async () => {
    app = await alertsApp((a) =>
      a.get("/boom", () => {
        throw new TypeError("cannot read config");
      }),
    );
    const record = await app.get("/boom");
    expect(record.status).toBe(500);
    expect(alertsOf(record, "server.error")[0]).toMatchObject({
      severity: "error",
      evidence: { status: 500, error: "TypeError", message: "cannot read config" },
    });
  });

  it("flags debug settings on a request for a non-local Host", async () => {
    app = await alertsApp((a) => a.get("/", (_req, res) => res.send("ok")));
    await rawRequest(`${app.running.url}/`, { headers: { host: "shop.example.com" } });
    await rawRequest(`${app.running.url}/`);
    const store = app.glassbox.store;
    await waitForRecords(app.glassbox, 2);
    const page = await store.list({ limit: 10 });
    const records = await Promise.all(page.records.map((r) => store.get(r.id)));
    const [remote] = records.filter((r) => r && rules(r).includes("debug.exposed"));
    expect(remote).toBeDefined();
    expect(alertsOf(remote!, "debug.exposed")[0]?.evidence).toMatchObject({
      header: "host",
      value: "shop.example.com",
    });
    expect(records.filter((r) => r && rules(r).includes("debug.exposed"))).toHaveLength(1);
  });
});
