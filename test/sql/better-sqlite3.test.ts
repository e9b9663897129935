import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instrumentBetterSqlite3 } from "../../src/instrument/better-sqlite3.js";
import { at, queriesOf, type SqlApp, site, startApp } from "./support.js";

describe("better-sqlite3 instrumentation", () => {
  let undo: () => void;
  let db: Database.Database;
  let app: SqlApp;

  beforeAll(async () => {
    undo = instrumentBetterSqlite3(Database);
    db = new Database(":memory:");
    db.exec("CREATE TABLE gb_sql_lite_users (id INTEGER PRIMARY KEY, email TEXT, password TEXT)");
    const SQL = {
      insert: "INSERT INTO gb_sql_lite_users (email, password) VALUES (?, ?)",
      byId: "SELECT email FROM gb_sql_lite_users WHERE id = @id",
      emails: "SELECT email FROM gb_sql_lite_users ORDER BY id",
      ids: "SELECT id FROM gb_sql_lite_users ORDER BY id",
      lower: "UPDATE gb_sql_lite_users SET email = lower(email)",
      duplicate: "INSERT INTO gb_sql_lite_users (id, email) VALUES (1, 'dup')",
    };
    app = await startApp((a) => {
      a.get("/all-methods", (_req, res) => {
        const insert = db.prepare(SQL.insert);
        const info = at("run", () => insert.run("a@example.com", "hunter2"));
        insert.run("b@example.com", "other");
        const one = at("get", () => db.prepare(SQL.byId).get({ id: 1 }));
        const all = at("all", () => db.prepare(SQL.emails).all());
        const seen = at("iterate", () => [...db.prepare(SQL.ids).iterate()]);
        at("exec", () => db.exec(SQL.lower));
        res.json({ changes: info.changes, one, all, seen: seen.length });
      });
      a.get("/fail", (_req, res) => {
        try {
          at("fail", () => db.prepare(SQL.duplicate).run());
          res.json({ ok: true });
        } catch (error) {
          const { message, code } = error as { message: string; code?: string };
          res.status(500).json({ message, code });
        }
      });
      a.get("/early-break", (_req, res) => {
        let first: unknown;
        for (const row of db.prepare(SQL.ids).iterate()) {
          first = row;
          break;
        }
        res.json(first);
      });
    });
  });

  afterAll(async () => {
    await app?.close();
    db?.close();
    undo?.();
  });

  it("records run, get, all, iterate and exec with params, rows and call sites", async () => {
    const { body, record } = await app.get("/all-methods");
    expect(JSON.parse(body)).toEqual({
      changes: 1,
      one: { email: "a@example.com" },
      all: [{ email: "a@example.com" }, { email: "b@example.com" }],
      seen: 2,
    });
    const qs = queriesOf(record);
    expect(qs.map((q) => q.method)).toEqual(["run", "run", "get", "all", "iterate", "exec"]);
    expect(qs[0]).toMatchObject({
      system: "sqlite",
      driver: "better-sqlite3",
      sql: "INSERT INTO gb_sql_lite_users (email, password) VALUES (?, ?)",
      params: ["a@example.com", "[redacted]"],
      rows: 1,
      database: ":memory:",
    });
    expect(qs[2]).toMatchObject({ params: { id: 1 }, rows: 1 });
    expect(qs[3]).toMatchObject({ rows: 2 });
    expect(qs[4]).toMatchObject({ rows: 2 });
    expect(qs[5]).toMatchObject({ sql: "UPDATE gb_sql_lite_users SET email = lower(email)" });
    const markers = ["run", null, "get", "all", "iterate", "exec"];
    markers.forEach((m, i) => {
      if (m) expect(qs[i]!.callSite?.frame).toMatchObject(site(m));
    });
    expect(JSON.stringify(record)).not.toContain("hunter2");
  });

  it("records a failing statement's error and the app still gets it", async () => {
    const { res, body, record } = await app.get("/fail");
    expect(res.status).toBe(500);
    expect(JSON.parse(body)).toEqual({
      message: "UNIQUE constraint failed: gb_sql_lite_users.id",
      code: "SQLITE_CONSTRAINT_PRIMARYKEY",
    });
    const failed = queriesOf(record).find((q) => q.error);
    expect(failed?.error).toContain("UNIQUE constraint failed");
    expect(failed?.callSite?.frame).toMatchObject(site("fail"));
  });

  it("ends an iterate() the app stops early", async () => {
    const { body, record } = await app.get("/early-break");
    expect(JSON.parse(body)).toEqual({ id: 1 });
    expect(queriesOf(record)).toMatchObject([{ method: "iterate", rows: 1 }]);
  });

  it("two callers: undoing the first leaves the second recording; undoing both stops it", async () => {
    const second = instrumentBetterSqlite3(Database);
    undo();
    const { record } = await app.get("/early-break");
    expect(queriesOf(record)).toMatchObject([{ method: "iterate", rows: 1 }]);
    second();
    const after = await app.get("/early-break");
    expect(after.record.panels.sql?.data).toMatchObject({ queries: [] });
    undo = instrumentBetterSqlite3(Database);
    expect(queriesOf((await app.get("/early-break")).record)).toHaveLength(1);
  });

  it("does not record glassbox's own SQLite store", async () => {
    const mw = app.mw.glassbox!;
    await mw.store.flush();
    mw.flushBackground();
    const page = await mw.store.list({ kind: "background", limit: 100 });
    expect(page.records).toEqual([]);
  });
});
