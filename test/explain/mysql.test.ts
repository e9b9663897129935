import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mysqlRunner } from "../../src/explain/runners/mysql.js";
import { instrumentMysql2 } from "../../src/instrument/mysql2.js";
import { serviceMissing } from "../helpers/services.js";
import { type ExplainApp, queryRoutes, startExplainApp } from "./support.js";

const MY = { host: "127.0.0.1", port: 3306, user: "root", database: "test" };
const missing = await serviceMissing("MariaDB", 3306);

describe.skipIf(missing)("EXPLAIN on MySQL/MariaDB", () => {
  let undo: () => void;
  let pool: mysql.Pool;
  let admin: mysql.Connection;
  let app: ExplainApp;

  const snapshot = async () => {
    const [rows] = await admin.query(`SELECT
      (SELECT count(*) FROM gb_explain_my_books) AS books,
      (SELECT md5(group_concat(id, ':', author_id, ':', title ORDER BY id)) FROM gb_explain_my_books) AS books_md5,
      (SELECT count(*) FROM gb_explain_my_audit) AS audit`);
    return (rows as unknown[])[0];
  };

  beforeAll(async () => {
    undo = instrumentMysql2(mysql);
    admin = await mysql.createConnection(MY);
    await admin.query("DROP TABLE IF EXISTS gb_explain_my_books, gb_explain_my_audit");
    await admin.query("DROP FUNCTION IF EXISTS gb_explain_my_log");
    await admin.query(
      "CREATE TABLE gb_explain_my_books (id int AUTO_INCREMENT PRIMARY KEY, author_id int NOT NULL, title varchar(100) NOT NULL) ENGINE=InnoDB",
    );
    await admin.query(
      "CREATE TABLE gb_explain_my_audit (id int AUTO_INCREMENT PRIMARY KEY, note text) ENGINE=InnoDB",
    );
    await admin.query(
      "CREATE FUNCTION gb_explain_my_log() RETURNS int MODIFIES SQL DATA BEGIN INSERT INTO gb_explain_my_audit (note) VALUES ('called'); RETURN 1; END",
    );
    await admin.query(
      "INSERT INTO gb_explain_my_books (author_id, title) SELECT seq % 500, concat('book ', seq) FROM seq_1_to_5000",
    );
    await admin.query("ANALYZE TABLE gb_explain_my_books");
    pool = mysql.createPool({ ...MY, connectionLimit: 4 });
    app = await startExplainApp(
      (a) => {
        const route = queryRoutes(a);
        route("/by-author", () =>
          pool.query("SELECT id, title FROM gb_explain_my_books WHERE author_id = ?", [7]),
        );
        route("/cte", () =>
          pool.query(
            "WITH mine AS (SELECT id FROM gb_explain_my_books WHERE author_id = ?) SELECT count(*) FROM mine",
            [7],
          ),
        );
        route("/insert", () =>
          pool.query("INSERT INTO gb_explain_my_books (author_id, title) VALUES (?, ?)", [1, "x"]),
        );
        route("/replace", () =>
          pool.query("REPLACE INTO gb_explain_my_books (id, author_id, title) VALUES (1, 1, 'book 1')"),
        );
        route("/delete", () => pool.execute("DELETE FROM gb_explain_my_books WHERE id = ?", [-1]));
        route("/lock", () =>
          pool.query("SELECT id FROM gb_explain_my_books WHERE id = 1 LOCK IN SHARE MODE"),
        );
        route("/executable-comment", () => pool.query("SELECT 1 /*! , (SELECT gb_explain_my_log()) */"));
        route("/derived-write", () => pool.query("SELECT * FROM (SELECT gb_explain_my_log() AS x) t"));
        route("/slow", () => pool.query("SELECT * FROM (SELECT SLEEP(1.5) AS s) t"));
      },
      { explain: { mysql: MY, statementTimeoutMs: 1000 } },
    );
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await admin?.query("DROP TABLE IF EXISTS gb_explain_my_books, gb_explain_my_audit");
    await admin?.query("DROP FUNCTION IF EXISTS gb_explain_my_log");
    await admin?.end();
    undo?.();
  });

  it("plans a recorded SELECT and flags the full scan with an index hint", async () => {
    const { record, query } = await app.recorded("/by-author", /WHERE author_id = \?/);
    const { status, json } = await app.explain(record.id, query.queryId);
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.system).toBe("mysql");
    expect(json.plan.children[0]).toMatchObject({ table: "gb_explain_my_books", fullScan: true });
    expect(json.text).toContain("access=ALL on gb_explain_my_books");
    expect(json.hints.map((h) => h.kind)).toEqual(["full-scan", "missing-index"]);
    expect(json.hints[1]).toMatchObject({ columns: ["author_id"] });
  });

  it("plans a WITH … SELECT", async () => {
    const { record, query } = await app.recorded("/cte", /^WITH mine/);
    const { status, json } = await app.explain(record.id, query.queryId);
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.plan.children.length).toBeGreaterThan(0);
  });

  it("stops hinting once the column has an index", async () => {
    await admin.query("CREATE INDEX gb_explain_my_author ON gb_explain_my_books (author_id)");
    try {
      const { record, query } = await app.recorded("/by-author", /WHERE author_id = \?/);
      const { status, json } = await app.explain(record.id, query.queryId);
      expect(status).toBe(200);
      expect(json.plan.children[0]).toMatchObject({ index: "gb_explain_my_author" });
      expect(json.hints).toEqual([]);
    } finally {
      await admin.query("DROP INDEX gb_explain_my_author ON gb_explain_my_books");
    }
  });

  it("plans through a mysql2/promise pool passed instead of a config, and resets its session", async () => {
    const own = mysql.createPool({ ...MY, connectionLimit: 1 });
    try {
      const run = mysqlRunner(own);
      const plan = await run({
        sql: "SELECT * FROM gb_explain_my_books WHERE id = ?",
        params: [1],
        analyze: false,
        timeoutMs: 1000,
      });
      expect(plan.root.children[0]).toMatchObject({ table: "gb_explain_my_books", index: "PRIMARY" });
      const [rows] = await own.query("SELECT @@session.max_statement_time AS t, @@in_transaction AS tx");
      expect(rows).toEqual([{ t: 0, tx: 0 }]);
    } finally {
      await own.end();
    }
  });

  it("offers ANALYZE for PostgreSQL only", async () => {
    const { record, query } = await app.recorded("/by-author", /WHERE author_id = \?/);
    const { status, json } = await app.explain(record.id, query.queryId, { body: '{"analyze":true}' });
    expect(status).toBe(422);
    expect(json.code).toBe("GBX_EXPLAIN_ANALYZE_OFF");
  });

  it("cuts a statement that runs past the timeout", async () => {
    const { record, query } = await app.recorded("/slow", /SLEEP/);
    const { status, json } = await app.explain(record.id, query.queryId);
    expect(status, JSON.stringify(json)).toBe(504);
    expect(json.code).toBe("GBX_EXPLAIN_TIMEOUT");
  });

  it("refuses writes, locks and executable comments, and changes nothing", async () => {
    for (const [path, sql] of [
      ["/insert", /^INSERT/],
      ["/replace", /^REPLACE/],
      ["/delete", /^DELETE/],
      ["/lock", /LOCK IN SHARE MODE/],
      ["/executable-comment", /\/\*!/],
    ] as const) {
      const { record, query } = await app.recorded(path, sql);
      await admin.query("DELETE FROM gb_explain_my_books WHERE id > 5000");
      await admin.query("DELETE FROM gb_explain_my_audit");
      const before = await snapshot();
      const { status, json } = await app.explain(record.id, query.queryId);
      expect(status, path).toBe(422);
      expect(json.code).toBe("GBX_EXPLAIN_NOT_READ_ONLY");
      expect(await snapshot()).toEqual(before);
    }
  });

  it("refuses (READ ONLY transaction) a SELECT whose plan would run a function that writes", async () => {
    const { record, query } = await app.recorded("/derived-write", /gb_explain_my_log/);
    await admin.query("DELETE FROM gb_explain_my_audit");
    const before = await snapshot();
    const { status, json } = await app.explain(record.id, query.queryId);
    expect(status, JSON.stringify(json)).toBe(502);
    expect(json.error).toMatch(/READ ONLY/i);
    expect(await snapshot()).toEqual(before);
  });
});
