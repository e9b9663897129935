import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instrumentPg } from "../../src/instrument/pg.js";
import { serviceMissing } from "../helpers/services.js";
import { at, queriesOf, type SqlApp, site, sqlData, startApp } from "./support.js";

const PG = { host: "127.0.0.1", port: 5432, user: "postgres", database: "test" };
const missing = await serviceMissing("PostgreSQL", 5432);

describe.skipIf(missing)("pg instrumentation", () => {
  let undo: () => void;
  let pool: pg.Pool;
  let client: pg.Client;
  let app: SqlApp;

  beforeAll(async () => {
    undo = instrumentPg(pg);
    pool = new pg.Pool({ ...PG, max: 4 });
    client = new pg.Client(PG);
    await client.connect();
    await pool.query(`DROP TABLE IF EXISTS gb_sql_pg_users`);
    await pool.query(
      `CREATE TABLE gb_sql_pg_users (id serial PRIMARY KEY, email text NOT NULL, password text NOT NULL)`,
    );
    await pool.query(
      `INSERT INTO gb_sql_pg_users (email, password) VALUES ('a@example.com', 'hunter2'), ('b@example.com', 'y')`,
    );
    const SQL = {
      byEmail: "SELECT id, email FROM gb_sql_pg_users WHERE email = $1 AND password = $2",
      count: "SELECT count(*) FROM gb_sql_pg_users WHERE id > $1",
      emails: { text: "SELECT email FROM gb_sql_pg_users ORDER BY id", values: [] },
      setPassword: "UPDATE gb_sql_pg_users SET password = $1 WHERE email = $2",
      byId: "SELECT email FROM gb_sql_pg_users WHERE id = $1",
    };
    app = await startApp((a) => {
      a.get("/client-promise", async (_req, res) => {
        const r = await at("client-promise", () => client.query(SQL.byEmail, ["a@example.com", "hunter2"]));
        res.json(r.rows);
      });
      a.get("/client-callback", (_req, res, next) => {
        const done = (err: Error | null, r: pg.QueryResult) => (err ? next(err) : res.json(r.rows));
        at("client-callback", () => client.query(SQL.count, [0], done));
      });
      a.get("/pool-promise", async (_req, res) => {
        const r = await at("pool-promise", () => pool.query(SQL.emails));
        res.json(r.rows);
      });
      a.get("/pool-callback", (_req, res, next) => {
        const done = (err: Error | null, r: pg.QueryResult) =>
          err ? next(err) : res.json({ updated: r.rowCount });
        at("pool-callback", () => pool.query(SQL.setPassword, ["s3cret", "b@example.com"], done));
      });
      a.get("/prepared", async (_req, res) => {
        const r = await pool.query({ name: "gb-sql-user-by-id", text: SQL.byId, values: [1] });
        const again = await pool.query({ name: "gb-sql-user-by-id", text: SQL.byId, values: [2] });
        res.json([...r.rows, ...again.rows]);
      });
      a.get("/fail", async (_req, res) => {
        try {
          await at("fail", () => pool.query("SELECT * FROM gb_sql_pg_no_such_table"));
          res.json({ ok: true });
        } catch (error) {
          res
            .status(500)
            .json({ message: (error as Error).message, code: (error as { code?: string }).code });
        }
      });
      a.get("/submittable", (_req, res, next) => {
        // The driver's own Query object, submitted like a cursor or a stream would be.
        const query = new pg.Query("SELECT generate_series(1, 7) AS n");
        query.on("error", next);
        const rows: unknown[] = [];
        query.on("row", (row) => rows.push(row));
        query.on("end", () => res.json({ rows: rows.length }));
        at("submittable", () => client.query(query));
      });
    });
  });

  afterAll(async () => {
    await app?.close();
    await pool?.query(`DROP TABLE IF EXISTS gb_sql_pg_users`);
    await client?.end();
    await pool?.end();
    undo?.();
  });

  it("records a Client promise query with SQL, masked params, rows, timing, identity and call site", async () => {
    const { body, record } = await app.get("/client-promise");
    expect(JSON.parse(body)).toEqual([{ id: 1, email: "a@example.com" }]);
    const [q] = queriesOf(record);
    expect(q).toMatchObject({
      system: "postgresql",
      driver: "pg",
      sql: "SELECT id, email FROM gb_sql_pg_users WHERE email = $1 AND password = $2",
      params: ["a@example.com", "[redacted]"],
      rows: 1,
      database: "test",
      server: "127.0.0.1:5432",
    });
    expect(q!.durationMs).toBeGreaterThan(0);
    expect(q!.queryId).toMatch(/\S+/);
    const where = site("client-promise");
    expect(q!.callSite?.frame).toMatchObject(where);
    expect(JSON.stringify(record)).not.toContain("hunter2");
    expect(record.stats["sql.queries"]).toBe(1);
    expect(record.stats["sql.ms"]).toBeGreaterThan(0);
    expect(record.timeline.some((t) => t.panel === "sql" && t.label.startsWith("SELECT id, email"))).toBe(
      true,
    );
    expect(record.serverTiming.find((e) => e.name === "sql")?.durationMs).toBeGreaterThan(0);
  });

  it("sends a Server-Timing sql entry with the queries' time", async () => {
    const res = await fetch(`${app.running.url}/client-callback`);
    expect(res.headers.get("server-timing")).toMatch(/sql;dur=[\d.]+;desc="1 queries"/);
  });

  it("records a Client callback query", async () => {
    const { body, record } = await app.get("/client-callback");
    expect(JSON.parse(body)).toEqual([{ count: "2" }]);
    const [q] = queriesOf(record);
    expect(q).toMatchObject({
      sql: "SELECT count(*) FROM gb_sql_pg_users WHERE id > $1",
      params: [0],
      rows: 1,
    });
    expect(q!.callSite?.frame).toMatchObject(site("client-callback"));
  });

  it("records Pool queries (config object and callback) with the call site of pool.query", async () => {
    const a = await app.get("/pool-promise");
    expect(JSON.parse(a.body)).toHaveLength(2);
    expect(queriesOf(a.record)[0]).toMatchObject({
      sql: "SELECT email FROM gb_sql_pg_users ORDER BY id",
      rows: 2,
    });
    expect(queriesOf(a.record)[0]!.callSite?.frame).toMatchObject(site("pool-promise"));

    const b = await app.get("/pool-callback");
    expect(JSON.parse(b.body)).toEqual({ updated: 1 });
    const [q] = queriesOf(b.record);
    // `SET password = $1` masks $1; the email stays readable.
    expect(q).toMatchObject({ params: ["[redacted]", "b@example.com"], rows: 1 });
    expect(q!.callSite?.frame).toMatchObject(site("pool-callback"));
    expect(JSON.stringify(b.record)).not.toContain("s3cret");
  });

  it("records prepared statements with their name", async () => {
    const { body, record } = await app.get("/prepared");
    expect(JSON.parse(body)).toEqual([{ email: "a@example.com" }, { email: "b@example.com" }]);
    const qs = queriesOf(record);
    expect(qs.map((q) => q.name)).toEqual(["gb-sql-user-by-id", "gb-sql-user-by-id"]);
    expect(qs.map((q) => q.params)).toEqual([[1], [2]]);
    expect(new Set(qs.map((q) => q.queryId)).size).toBe(2);
    expect(record.stats["sql.similar"]).toBe(1);
    expect(sqlData(record).similar[0]).toMatchObject({ count: 2 });
  });

  it("records a failing query's error and the app still gets the driver's error", async () => {
    const { res, body, record } = await app.get("/fail");
    expect(res.status).toBe(500);
    const appSaw = JSON.parse(body) as { message: string; code: string };
    expect(appSaw).toEqual({ message: 'relation "gb_sql_pg_no_such_table" does not exist', code: "42P01" });
    const [q] = queriesOf(record);
    expect(q!.error).toContain('relation "gb_sql_pg_no_such_table" does not exist');
    expect(q!.callSite?.frame).toMatchObject(site("fail"));
    expect(record.stats["sql.errors"]).toBe(1);
    expect(record.timeline.find((t) => t.panel === "sql")?.error).toBe(true);
  });

  it("records a submitted query object when it ends, with its rows", async () => {
    const { body, record } = await app.get("/submittable");
    expect(JSON.parse(body)).toEqual({ rows: 7 });
    const [q] = queriesOf(record);
    expect(q).toMatchObject({ sql: "SELECT generate_series(1, 7) AS n", rows: 7 });
    expect(q!.callSite?.frame).toMatchObject(site("submittable"));
  });

  it("records queries outside any request in a background record", async () => {
    await pool.query("SELECT 'gb_sql_background' AS marker");
    const gb = app.mw.glassbox!;
    gb.flushBackground();
    const page = await gb.store.list({ kind: "background", limit: 50 });
    const ids = page.records.map((r) => r.id);
    const records = await Promise.all(ids.map((id) => gb.store.get(id)));
    const sql = records.flatMap((r) => (r?.panels.sql ? queriesOf(r) : [])).map((q) => q.sql);
    expect(sql).toContain("SELECT 'gb_sql_background' AS marker");
  });

  it("is idempotent and its undo stops recording", async () => {
    const again = instrumentPg(pg);
    const { record } = await app.get("/client-callback");
    expect(queriesOf(record)).toHaveLength(1);
    again();
    undo();
    const after = await app.get("/client-callback");
    expect(after.record.panels.sql?.data).toMatchObject({ queries: [] });
    undo = instrumentPg(pg);
  });

  it("two callers: undoing the first leaves the second recording", async () => {
    // glassbox/register and an explicit call, or two glassbox instances, undone in any order.
    const second = instrumentPg(pg);
    undo();
    const { record } = await app.get("/pool-promise");
    expect(queriesOf(record).map((q) => q.sql)).toEqual(["SELECT email FROM gb_sql_pg_users ORDER BY id"]);
    undo = second;
  });
});
