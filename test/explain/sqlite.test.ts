import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExplainFailure } from "../../src/explain/failure.js";
import { sqliteRunner } from "../../src/explain/runners/sqlite.js";
import { instrumentBetterSqlite3 } from "../../src/instrument/better-sqlite3.js";
import { type ExplainApp, startExplainApp } from "./support.js";

describe("EXPLAIN on SQLite", () => {
  let dir: string;
  let db: Database.Database;
  let app: ExplainApp;
  let undo: () => void;
  const count = () => (db.prepare("SELECT count(*) AS n FROM gb_explain_items").get() as { n: number }).n;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gb-explain-"));
    const file = join(dir, "app.db");
    undo = instrumentBetterSqlite3(Database);
    db = new Database(file);
    db.exec(
      `CREATE TABLE gb_explain_items (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, price INTEGER NOT NULL)`,
    );
    const insert = db.prepare("INSERT INTO gb_explain_items (sku, price) VALUES (?, ?)");
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) insert.run(`sku-${i}`, i % 100);
    })();
    app = await startExplainApp(
      (a) => {
        a.get("/by-sku", (_req, res) => {
          res.json(db.prepare("SELECT id, price FROM gb_explain_items WHERE sku = ?").get("sku-42"));
        });
        a.get("/cte", (_req, res) => {
          res.json(
            db
              .prepare(
                "WITH cheap AS (SELECT id FROM gb_explain_items WHERE price < ?) SELECT count(*) AS n FROM cheap",
              )
              .get(5),
          );
        });
        a.get("/insert", (_req, res) => {
          res.json(
            db.prepare("INSERT INTO gb_explain_items (sku, price) VALUES (?, ?)").run("new", 1).changes,
          );
        });
        a.get("/delete", (_req, res) => {
          res.json(db.prepare("DELETE FROM gb_explain_items WHERE id = ?").run(-1).changes);
        });
      },
      { explain: { sqlite: { path: file } } },
    );
  });

  afterAll(async () => {
    await app?.close();
    undo?.();
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("plans a recorded SELECT and flags the full scan of a large table on an unindexed column", async () => {
    const { record, query } = await app.recorded("/by-sku", /WHERE sku = \?/);
    const { status, json } = await app.explain(record.id, query.queryId);
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.system).toBe("sqlite");
    expect(json.text).toContain("SCAN gb_explain_items");
    expect(json.hints.map((h) => h.kind)).toEqual(["full-scan", "missing-index"]);
    expect(json.hints[1]).toMatchObject({ table: "gb_explain_items", columns: ["sku"] });
    expect(json.view.length).toBeGreaterThan(0);
  });

  it("plans a WITH … SELECT", async () => {
    const { record, query } = await app.recorded("/cte", /^WITH cheap/);
    const { status, json } = await app.explain(record.id, query.queryId);
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.plan.children.length).toBeGreaterThan(0);
  });

  it("no longer hints once the column is indexed", async () => {
    db.exec("CREATE INDEX gb_explain_items_sku ON gb_explain_items (sku)");
    try {
      const { record, query } = await app.recorded("/by-sku", /WHERE sku = \?/);
      const { status, json } = await app.explain(record.id, query.queryId);
      expect(status).toBe(200);
      expect(json.text).toContain("USING INDEX gb_explain_items_sku");
      expect(json.hints).toEqual([]);
    } finally {
      db.exec("DROP INDEX gb_explain_items_sku");
    }
  });

  it("refuses recorded writes and changes nothing", async () => {
    for (const path of ["/insert", "/delete"]) {
      const { record, query } = await app.recorded(path, /INSERT|DELETE/);
      const before = count();
      const { status, json } = await app.explain(record.id, query.queryId);
      expect(status).toBe(422);
      expect(json.code).toBe("GBX_EXPLAIN_NOT_READ_ONLY");
      expect(count()).toBe(before);
    }
  });

  it("cuts a plan that does not finish within the statement timeout", async () => {
    // The worker thread that plans a file cannot even start within 1 ms: it is terminated.
    const run = sqliteRunner({ path: join(dir, "app.db") });
    const error = await run({ sql: "SELECT * FROM gb_explain_items", analyze: false, timeoutMs: 1 }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ExplainFailure);
    expect(error).toMatchObject({ code: "GBX_EXPLAIN_TIMEOUT", status: 504 });
    expect(error.message).toMatch(/statement timeout \(1 ms\)/);
  });

  it("plans through a Database the app passes in, in memory, inside a rolled-back transaction", async () => {
    const memory = new Database(":memory:");
    memory.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, x INT)");
    const plan = await sqliteRunner(memory)({
      sql: "SELECT * FROM t WHERE x = ?",
      params: [1],
      analyze: false,
      timeoutMs: 1000,
    });
    expect(plan.root.children[0]).toMatchObject({ operation: "SCAN t", table: "t", fullScan: true });
    expect(memory.inTransaction).toBe(false);
    memory.close();
  });

  it("keeps its own statements out of the records", async () => {
    const gb = app.mw.glassbox!;
    gb.flushBackground();
    const page = await gb.store.list({ kind: "background", limit: 100 });
    for (const summary of page.records) {
      const record = await gb.store.get(summary.id);
      const sql = JSON.stringify(record?.panels.sql?.data ?? {});
      expect(sql).not.toMatch(/EXPLAIN QUERY PLAN|max\(rowid\)/);
    }
  });
});
