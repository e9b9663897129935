import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRecordId } from "../../src/core/ids.js";
import type { GlassboxRecord } from "../../src/core/record.js";
import { pgRunner } from "../../src/explain/runners/pg.js";
import { instrumentPg } from "../../src/instrument/pg.js";
import type { SqlPanelData } from "../../src/panels/sql/types.js";
import { rawRequest } from "../helpers/http.js";
import { serviceMissing } from "../helpers/services.js";
import { type ExplainApp, queryRoutes, startExplainApp } from "./support.js";

const PG = { host: "127.0.0.1", port: 5432, user: "postgres", database: "test" };
const missing = await serviceMissing("PostgreSQL", 5432);

describe.skipIf(missing)("EXPLAIN on PostgreSQL", () => {
  let undo: () => void;
  let pool: pg.Pool;
  let admin: pg.Client;
  let app: ExplainApp;

  /** Everything a refused EXPLAIN must leave untouched: row counts, contents, the schema. */
  const snapshot = async () =>
    (
      await admin.query(`SELECT
        (SELECT count(*) FROM gb_explain_books) AS books,
        (SELECT md5(string_agg(id || ':' || author_id || ':' || title, ',' ORDER BY id)) FROM gb_explain_books) AS books_md5,
        (SELECT count(*) FROM gb_explain_audit) AS audit,
        to_regclass('gb_explain_ddl') IS NOT NULL AS ddl_exists`)
    ).rows[0];

  beforeAll(async () => {
    undo = instrumentPg(pg);
    admin = new pg.Client(PG);
    await admin.connect();
    await admin.query(
      `DROP TABLE IF EXISTS gb_explain_books, gb_explain_audit, gb_explain_ddl, gb_explain_users`,
    );
    await admin.query(
      `CREATE TABLE gb_explain_books (id serial PRIMARY KEY, author_id int NOT NULL, title text NOT NULL)`,
    );
    await admin.query(
      `INSERT INTO gb_explain_books (author_id, title) SELECT i % 500, 'book ' || i FROM generate_series(1, 20000) i`,
    );
    await admin.query(`CREATE TABLE gb_explain_users (id serial PRIMARY KEY, secret_id int)`);
    await admin.query(`CREATE TABLE gb_explain_audit (id serial PRIMARY KEY, note text)`);
    await admin.query(`CREATE OR REPLACE FUNCTION gb_explain_log() RETURNS int VOLATILE LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO gb_explain_audit (note) VALUES ('called'); RETURN 1; END $$`);
    await admin.query(`ANALYZE gb_explain_books`);
    pool = new pg.Pool({ ...PG, max: 4 });
    app = await startExplainApp(
      (a) => {
        a.set("trust proxy", true);
        const route = queryRoutes(a);
        route("/by-author", () =>
          pool.query("SELECT id, title FROM gb_explain_books WHERE author_id = $1", [7]),
        );
        route("/cte", () =>
          pool.query(
            "WITH mine AS (SELECT id, title FROM gb_explain_books WHERE author_id = $1) SELECT count(*) FROM mine",
            [7],
          ),
        );
        route("/insert", () =>
          pool.query("INSERT INTO gb_explain_books (author_id, title) VALUES ($1, $2)", [1, "x"]),
        );
        route("/update", () => pool.query("UPDATE gb_explain_books SET title = title WHERE id = $1", [-1]));
        route("/delete", () => pool.query("DELETE FROM gb_explain_books WHERE id = $1", [-1]));
        route("/ddl", () => pool.query("CREATE TABLE IF NOT EXISTS gb_explain_ddl (id int)"));
        route("/cte-delete", () =>
          pool.query(
            "WITH d AS (DELETE FROM gb_explain_books WHERE id < 0 RETURNING id) SELECT count(*) FROM d",
          ),
        );
        route("/for-update", () => pool.query("SELECT id FROM gb_explain_books WHERE id = 1 FOR UPDATE"));
        route("/two", () => pool.query("SELECT 1; SELECT 2"));
        route("/comment-trick", () =>
          pool.query("SELECT 1 /* ; DELETE FROM gb_explain_books */ -- ; DROP TABLE x"),
        );
        route("/volatile", () => pool.query("SELECT gb_explain_log()"));
        route("/slow", () => pool.query("SELECT pg_sleep(1.5)"));
        route("/masked", () => pool.query("SELECT id FROM gb_explain_users WHERE secret_id = $1", [42]));
      },
      {
        explain: {
          // The password is not needed on this server; it must still never reach a record.
          postgres: { connectionString: "postgres://postgres:gb-explain-secret@127.0.0.1:5432/test" },
          analyze: true,
          statementTimeoutMs: 1000,
        },
      },
    );
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await admin?.query(
      `DROP TABLE IF EXISTS gb_explain_books, gb_explain_audit, gb_explain_ddl, gb_explain_users`,
    );
    await admin?.query(`DROP FUNCTION IF EXISTS gb_explain_log()`);
    await admin?.end();
    undo?.();
  });

  it("plans a recorded SELECT, flags the seq scan and suggests an index on the filtered column", async () => {
    const { record, query } = await app.recorded("/by-author", /WHERE author_id = \$1/);
    const { status, json } = await app.explain(record.id, query.queryId);
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.system).toBe("postgresql");
    expect(json.plan.operation).toBe("Seq Scan");
    expect(json.text).toMatch(/^Seq Scan on gb_explain_books .*\n\s+Filter: \(author_id = 7\)/);
    const [scan, index] = json.hints;
    expect(scan).toMatchObject({ kind: "full-scan", table: "gb_explain_books" });
    expect(scan!.rows).toBeGreaterThanOrEqual(19000);
    expect(index).toMatchObject({ kind: "missing-index", table: "gb_explain_books", columns: ["author_id"] });
    expect(index!.suggestion).toBe(
      "CREATE INDEX gb_explain_books_author_id_idx ON gb_explain_books (author_id);",
    );
  });

  it("plans a WITH … SELECT", async () => {
    const { record, query } = await app.recorded("/cte", /^WITH mine/);
    const { status, json } = await app.explain(record.id, query.queryId);
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.text).toContain("Seq Scan on gb_explain_books");
  });

  it("runs EXPLAIN ANALYZE, BUFFERS when asked, with actual figures", async () => {
    const { record, query } = await app.recorded("/by-author", /WHERE author_id = \$1/);
    const { status, json } = await app.explain(record.id, query.queryId, { body: '{"analyze":true}' });
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.analyze).toBe(true);
    expect(json.executionMs).toBeTypeOf("number");
    expect(json.plan.actualRows).toBe(40);
    expect(json.plan.details?.["Shared Hit Blocks"]).toBeTypeOf("number");
    expect(json.notes.join(" ")).toMatch(/rolled back/);
  });

  it("stops hinting once the column has an index", async () => {
    await admin.query("CREATE INDEX gb_explain_books_author ON gb_explain_books (author_id)");
    try {
      const { record, query } = await app.recorded("/by-author", /WHERE author_id = \$1/);
      const { status, json } = await app.explain(record.id, query.queryId);
      expect(status).toBe(200);
      expect(json.text).toContain("gb_explain_books_author");
      expect(json.hints).toEqual([]);
    } finally {
      await admin.query("DROP INDEX gb_explain_books_author");
    }
  });

  it("cuts a statement that runs past the timeout", async () => {
    const { record, query } = await app.recorded("/slow", /pg_sleep/);
    const { status, json } = await app.explain(record.id, query.queryId, { body: '{"analyze":true}' });
    expect(status).toBe(504);
    expect(json.code).toBe("GBX_EXPLAIN_TIMEOUT");
    expect(json.error).toMatch(/statement timeout \(1000 ms\)/);
  });

  it("says so when masked parameters make the plan impossible", async () => {
    const { record, query } = await app.recorded("/masked", /secret_id = \$1/);
    expect(query.params).toEqual(["[redacted]"]);
    const { status, json } = await app.explain(record.id, query.queryId);
    expect(status).toBe(502);
    expect(json.code).toBe("GBX_EXPLAIN_FAILED");
    expect(json.error).toMatch(/masked when recorded/);
  });

  it("plans through a pg.Pool passed instead of a config, and leaves the pool usable", async () => {
    const own = new pg.Pool({ ...PG, max: 1 });
    try {
      const run = pgRunner(own);
      const job = {
        sql: "SELECT * FROM gb_explain_books WHERE id = $1",
        params: [1],
        analyze: false,
        timeoutMs: 1000,
      };
      expect((await run(job)).root).toMatchObject({ operation: "Index Scan", table: "gb_explain_books" });
      expect((await run(job)).root.index).toBe("gb_explain_books_pkey");
      expect((await own.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await own.end();
    }
  });

  it("never stores the EXPLAIN connection's credentials in a record", async () => {
    const { record } = await app.get("/by-author");
    expect(JSON.stringify(record)).not.toContain("gb-explain-secret");
    expect(JSON.stringify(record.panels.settings?.data)).toContain("[ExplainConnection]");
  });

  it("keeps its own statements out of the records", async () => {
    const gb = app.mw.glassbox!;
    gb.flushBackground();
    const page = await gb.store.list({ limit: 1000 });
    for (const summary of page.records) {
      const record = await gb.store.get(summary.id);
      expect(JSON.stringify(record?.panels.sql?.data ?? {})).not.toMatch(/EXPLAIN|BEGIN READ ONLY|reltuples/);
    }
  });

  describe("hostile requests are refused and change nothing", () => {
    let before: unknown;
    let select: { record: GlassboxRecord; queryId: string };

    /** Undoes what the app itself did when it ran a route, so only EXPLAIN is measured. */
    const undoApp = async () => {
      await admin.query("DROP TABLE IF EXISTS gb_explain_ddl");
      await admin.query("DELETE FROM gb_explain_books WHERE id > 20000");
      await admin.query("DELETE FROM gb_explain_audit");
    };

    beforeAll(async () => {
      const { record, query } = await app.recorded("/by-author", /WHERE author_id = \$1/);
      select = { record, queryId: query.queryId };
      await undoApp();
      before = await snapshot();
    });

    afterAll(async () => {
      await undoApp();
      expect(await snapshot()).toEqual(before);
    });

    it.each([
      ["/insert", /^INSERT/],
      ["/update", /^UPDATE/],
      ["/delete", /^DELETE/],
      ["/ddl", /^CREATE TABLE/],
      ["/cte-delete", /^WITH d AS \(DELETE/],
      ["/for-update", /FOR UPDATE$/],
      ["/two", /SELECT 1; SELECT 2/],
    ])("refuses the recorded query of %s", async (path, sql) => {
      const { record, query } = await app.recorded(path, sql);
      await undoApp();
      const snap = await snapshot();
      expect(snap).toEqual(before);
      for (const body of ["{}", '{"analyze":true}']) {
        const { status, json } = await app.explain(record.id, query.queryId, { body });
        expect(status, JSON.stringify(json)).toBe(422);
        expect(json.code).toBe("GBX_EXPLAIN_NOT_READ_ONLY");
        expect(json.error).toMatch(/read-only SELECT/);
      }
      expect(await snapshot()).toEqual(snap);
    });

    it("plans a SELECT whose text hides writes in comments, as a plain SELECT", async () => {
      const { record, query } = await app.recorded("/comment-trick", /^SELECT 1 \/\*/);
      const { status } = await app.explain(record.id, query.queryId, { body: '{"analyze":true}' });
      expect(status).toBe(200);
    });

    it("rolls back (READ ONLY) a SELECT calling a function that writes", async () => {
      const { record, query } = await app.recorded("/volatile", /gb_explain_log/);
      await undoApp();
      const plain = await app.explain(record.id, query.queryId);
      expect(plain.status).toBe(200);
      const analyzed = await app.explain(record.id, query.queryId, { body: '{"analyze":true}' });
      expect(analyzed.status).toBe(502);
      expect(analyzed.json.code).toBe("GBX_EXPLAIN_FAILED");
      expect(analyzed.json.error).toMatch(/read-only transaction/);
      expect(await snapshot()).toEqual(before);
    });

    it("refuses unknown record and query ids", async () => {
      const noRecord = await app.explain(newRecordId(), select.queryId);
      expect(noRecord.status).toBe(404);
      expect(noRecord.json.code).toBe("GBX_EXPLAIN_NOT_FOUND");
      const noQuery = await app.explain(select.record.id, "zz-999");
      expect(noQuery.status).toBe(404);
      expect(noQuery.json.error).toMatch(/has no query with id "zz-999"/);
    });

    it("refuses a query recorded by another glassbox instance or another service sharing the store", async () => {
      const data = select.record.panels.sql!.data as SqlPanelData;
      const forged = (change: (r: GlassboxRecord) => GlassboxRecord) => {
        const copy = change(structuredClone(select.record));
        app.mw.glassbox!.store.add(copy);
        return copy.id;
      };
      const otherInstance = forged((r) => {
        const queries = (r.panels.sql!.data as SqlPanelData).queries;
        for (const q of queries) q.instance = "another-process";
        return { ...r, id: newRecordId() };
      });
      const otherService = forged((r) => ({ ...r, id: newRecordId(), service: "someone-else" }));
      const noInstance = forged((r) => {
        for (const q of (r.panels.sql!.data as SqlPanelData).queries) delete q.instance;
        return { ...r, id: newRecordId() };
      });
      for (const id of [otherInstance, otherService, noInstance]) {
        const { status, json } = await app.explain(id, data.queries[0]!.queryId);
        expect(status).toBe(422);
        expect(json.code).toBe("GBX_EXPLAIN_FOREIGN");
      }
    });

    it("refuses requests without the session token or with a forged one", async () => {
      const none = await app.explain(select.record.id, select.queryId, {
        headers: { "x-glassbox-token": "" },
      });
      expect(none.status).toBe(403);
      expect(none.json.code).toBe("GBX_EXPLAIN_TOKEN");
      // One character off: same length, so only the constant-time comparison can tell.
      const last = app.token.at(-1) === "A" ? "B" : "A";
      const forged = await app.explain(select.record.id, select.queryId, {
        headers: { "x-glassbox-token": `${app.token.slice(0, -1)}${last}` },
      });
      expect(forged.status).toBe(403);
      const wrongLength = await app.explain(select.record.id, select.queryId, {
        headers: { "x-glassbox-token": "x" },
      });
      expect(wrongLength.status).toBe(403);
    });

    it("answers cross-origin POSTs and non-loopback clients with the app's own 404", async () => {
      const url = `${app.running.url}/__glassbox/api/requests/${select.record.id}/queries/${select.queryId}/explain`;
      const headers = { "x-glassbox-token": app.token, "content-type": "application/json" };
      const refusals: Record<string, string>[] = [
        { origin: "http://evil.example" },
        { "sec-fetch-site": "cross-site" },
        { origin: "http://evil.example", "sec-fetch-site": "cross-site" },
        { "x-forwarded-for": "203.0.113.7" },
      ];
      for (const extra of refusals) {
        const res = await rawRequest(url, { method: "POST", headers: { ...headers, ...extra }, body: "{}" });
        expect(res.status, JSON.stringify(extra)).toBe(404);
        expect(res.body.toString()).not.toContain("Seq Scan");
      }
      // The session token is not handed to them either.
      const session = await rawRequest(`${app.running.url}/__glassbox/api/session`, {
        headers: { "x-forwarded-for": "203.0.113.7" },
      });
      expect(session.status).toBe(404);
      expect(session.body.toString()).not.toContain(app.token);
    });

    it("refuses malformed bodies and SQL sent by the client", async () => {
      const cases: Array<[string, RegExp]> = [
        ["{not json", /not valid JSON/],
        ["[1]", /JSON object/],
        ['"SELECT 1"', /JSON object/],
        ['{"analyze":"yes"}', /true or false/],
        ['{"sql":"DELETE FROM gb_explain_books"}', /never SQL sent by a client/],
        ['{"analyze":true,"query":"DROP TABLE gb_explain_books"}', /never SQL sent by a client/],
        [`{"analyze":true,"pad":"${"x".repeat(2000)}"}`, /over 1024 bytes/],
      ];
      for (const [body, message] of cases) {
        const { status, json } = await app.explain(select.record.id, select.queryId, { body });
        expect(status, body).toBe(400);
        expect(json.code).toBe("GBX_EXPLAIN_BAD_REQUEST");
        expect(json.error).toMatch(message);
      }
    });

    it("takes only POST", async () => {
      const res = await fetch(
        `${app.running.url}/__glassbox/api/requests/${select.record.id}/queries/${select.queryId}/explain`,
        { headers: { "x-glassbox-token": app.token } },
      );
      expect(res.status).toBe(405);
    });
  });
});
