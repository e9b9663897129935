import mysql from "mysql2";
import mysqlPromise from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instrumentMysql2 } from "../../src/instrument/mysql2.js";
import { serviceMissing } from "../helpers/services.js";
import { at, queriesOf, type SqlApp, site, startApp } from "./support.js";

const MY = { host: "127.0.0.1", port: 3306, user: "root", database: "test" };
const missing = await serviceMissing("MariaDB", 3306);

describe.skipIf(missing)("mysql2 instrumentation", () => {
  const undo: Array<() => void> = [];
  let conn: mysql.Connection;
  let pool: mysql.Pool;
  let promisePool: mysqlPromise.Pool;
  let app: SqlApp;

  beforeAll(async () => {
    // Both module shapes are accepted; the second call finds the same classes and does nothing.
    undo.push(instrumentMysql2(mysqlPromise), instrumentMysql2(mysql));
    conn = mysql.createConnection(MY);
    pool = mysql.createPool({ ...MY, connectionLimit: 3 });
    promisePool = mysqlPromise.createPool({ ...MY, connectionLimit: 3 });
    await promisePool.query("DROP TABLE IF EXISTS gb_sql_my_users");
    await promisePool.query(
      "CREATE TABLE gb_sql_my_users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100), password VARCHAR(100))",
    );
    await promisePool.query(
      "INSERT INTO gb_sql_my_users (email, password) VALUES ('a@example.com', 'hunter2'), ('b@example.com', 'y')",
    );
    const SQL = {
      byEmail: "SELECT id, email FROM gb_sql_my_users WHERE email = ? AND password = ?",
      byId: "SELECT email FROM gb_sql_my_users WHERE id = ?",
      emails: "SELECT email FROM gb_sql_my_users ORDER BY id",
      inList: "SELECT email FROM gb_sql_my_users WHERE id IN (?)",
      insert: "INSERT INTO gb_sql_my_users (email, password) VALUES (?, ?)",
      count: "SELECT COUNT(*) AS n FROM gb_sql_my_users",
      ids: "SELECT id FROM gb_sql_my_users ORDER BY id",
    };
    type Done = (err: Error | null, rows: unknown) => void;
    const reply =
      (res: { json(v: unknown): void }, next: (e: unknown) => void): Done =>
      (err, rows) =>
        err ? next(err) : res.json(rows);
    app = await startApp((a) => {
      a.get("/conn-callback", (_req, res, next) => {
        const done = reply(res, next);
        at("conn-callback", () => conn.query(SQL.byEmail, ["a@example.com", "hunter2"], done));
      });
      a.get("/pool-callback-execute", (_req, res, next) => {
        const done = reply(res, next);
        at("pool-execute", () => pool.execute(SQL.byId, [2], done));
      });
      a.get("/pool-callback-query", (_req, res, next) => {
        const done = reply(res, next);
        at("pool-query", () => pool.query(SQL.emails, done));
      });
      a.get("/promise-query", async (_req, res) => {
        const [rows] = await at("promise-query", () => promisePool.query(SQL.inList, [[1, 2]]));
        res.json(rows);
      });
      a.get("/promise-execute", async (_req, res) => {
        const [result] = await at("promise-execute", () =>
          promisePool.execute(SQL.insert, ["c@x.org", "pa55word"]),
        );
        res.json({ affected: (result as mysql.ResultSetHeader).affectedRows });
      });
      a.get("/promise-connection", async (_req, res) => {
        const c = await promisePool.getConnection();
        try {
          const [rows] = await at("promise-connection", () => c.query(SQL.count));
          res.json(rows);
        } finally {
          c.release();
        }
      });
      a.get("/fail", async (_req, res) => {
        try {
          await at("fail", () => promisePool.query("SELECT * FROM gb_sql_my_no_such_table"));
          res.json({ ok: true });
        } catch (error) {
          const { message, code } = error as { message: string; code?: string };
          res.status(500).json({ message, code });
        }
      });
      a.get("/stream", (_req, res, next) => {
        let rows = 0;
        const query = at("stream", () => conn.query(SQL.ids));
        query
          .on("result", () => rows++)
          .on("error", next)
          .on("end", () => res.json({ rows }));
      });
    });
  });

  afterAll(async () => {
    await app?.close();
    await promisePool?.query("DROP TABLE IF EXISTS gb_sql_my_users");
    await promisePool?.end();
    await new Promise((r) => pool?.end(r));
    await new Promise((r) => conn?.end(r));
    for (const u of undo) u();
  });

  it("records a connection callback query with the SQL as written and masked params", async () => {
    const { body, record } = await app.get("/conn-callback");
    expect(JSON.parse(body)).toEqual([{ id: 1, email: "a@example.com" }]);
    const [q] = queriesOf(record);
    expect(q).toMatchObject({
      system: "mysql",
      driver: "mysql2",
      method: "query",
      sql: "SELECT id, email FROM gb_sql_my_users WHERE email = ? AND password = ?",
      params: ["a@example.com", "[redacted]"],
      rows: 1,
      database: "test",
      server: "127.0.0.1:3306",
    });
    expect(q!.durationMs).toBeGreaterThan(0);
    expect(q!.callSite?.frame).toMatchObject(site("conn-callback"));
    expect(JSON.stringify(record)).not.toContain("hunter2");
  });

  it("records pool execute and pool query with the call site of the pool call", async () => {
    const a = await app.get("/pool-callback-execute");
    expect(JSON.parse(a.body)).toEqual([{ email: "b@example.com" }]);
    expect(queriesOf(a.record)).toMatchObject([{ method: "execute", params: [2], rows: 1 }]);
    expect(queriesOf(a.record)[0]!.callSite?.frame).toMatchObject(site("pool-execute"));

    const b = await app.get("/pool-callback-query");
    expect(JSON.parse(b.body)).toHaveLength(2);
    expect(queriesOf(b.record)).toMatchObject([{ method: "query", rows: 2 }]);
    expect(queriesOf(b.record)[0]!.callSite?.frame).toMatchObject(site("pool-query"));
  });

  it("records the promise API: pool query, execute (masked by column) and a pooled connection", async () => {
    const a = await app.get("/promise-query");
    expect(JSON.parse(a.body)).toHaveLength(2);
    expect(queriesOf(a.record)[0]).toMatchObject({
      sql: "SELECT email FROM gb_sql_my_users WHERE id IN (?)",
      params: [[1, 2]],
      rows: 2,
    });
    expect(queriesOf(a.record)[0]!.callSite?.frame).toMatchObject(site("promise-query"));

    const b = await app.get("/promise-execute");
    expect(JSON.parse(b.body)).toEqual({ affected: 1 });
    expect(queriesOf(b.record)[0]).toMatchObject({
      method: "execute",
      params: ["c@x.org", "[redacted]"],
      rows: 1,
    });
    expect(JSON.stringify(b.record)).not.toContain("pa55word");

    const c = await app.get("/promise-connection");
    expect(JSON.parse(c.body)).toEqual([{ n: 3 }]);
    expect(queriesOf(c.record)[0]!.callSite?.frame).toMatchObject(site("promise-connection"));
  });

  it("records a failing query's error and the app still gets the driver's error", async () => {
    const { res, body, record } = await app.get("/fail");
    expect(res.status).toBe(500);
    expect(JSON.parse(body)).toEqual({
      message: "Table 'test.gb_sql_my_no_such_table' doesn't exist",
      code: "ER_NO_SUCH_TABLE",
    });
    const [q] = queriesOf(record);
    expect(q!.error).toContain("Table 'test.gb_sql_my_no_such_table' doesn't exist");
    expect(q!.callSite?.frame).toMatchObject(site("fail"));
  });

  it("records a streamed query when its last row has arrived", async () => {
    const { body, record } = await app.get("/stream");
    const { rows } = JSON.parse(body) as { rows: number };
    expect(rows).toBeGreaterThanOrEqual(2);
    expect(queriesOf(record)[0]).toMatchObject({ sql: "SELECT id FROM gb_sql_my_users ORDER BY id", rows });
    expect(queriesOf(record)[0]!.callSite?.frame).toMatchObject(site("stream"));
  });

  it("two callers: undoing the first leaves the second recording", async () => {
    const second = instrumentMysql2(mysql);
    for (const u of undo.splice(0)) u();
    undo.push(second);
    const { record } = await app.get("/stream");
    expect(queriesOf(record).map((q) => q.sql)).toEqual(["SELECT id FROM gb_sql_my_users ORDER BY id"]);
  });
});
