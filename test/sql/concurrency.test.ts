import { createServer } from "node:http";
import express from "express";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import { instrumentPg } from "../../src/instrument/pg.js";
import { listen, type Running, recordFor, testOptions } from "../helpers/http.js";
import { serviceMissing } from "../helpers/services.js";
import { queriesOf } from "./support.js";

const REQUESTS = 200;

describe.skipIf(await serviceMissing("PostgreSQL", 5432))("concurrent requests", () => {
  let undo: () => void;
  let pool: pg.Pool;
  let running: Running;
  const mw = glassbox({ ...testOptions(), store: { path: ":memory:", ringSize: 1000 } });

  beforeAll(async () => {
    undo = instrumentPg(pg);
    // Fewer connections than requests: most queries wait in the pool's queue and are handed a
    // connection released by another request.
    pool = new pg.Pool({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test", max: 5 });
    const app = express();
    app.use(mw);
    app.get("/n/:n", async (req, res) => {
      const n = Number(req.params.n);
      const a = await pool.query("SELECT $1::int AS n", [n]);
      const b = await new Promise<pg.QueryResult>((resolve, reject) =>
        pool.query("SELECT $1::int * 2 AS double", [n], (err, r) => (err ? reject(err) : resolve(r))),
      );
      res.json({ n: a.rows[0].n, double: b.rows[0].double });
    });
    running = await listen(createServer(app));
  });

  afterAll(async () => {
    await running?.close();
    await mw.glassbox?.close();
    await pool?.end();
    undo?.();
  });

  it("keeps every request's queries in its own record", async () => {
    const responses = await Promise.all(
      Array.from({ length: REQUESTS }, (_, n) => fetch(`${running.url}/n/${n}`)),
    );
    for (const [n, res] of responses.entries()) {
      expect(await res.json()).toEqual({ n, double: n * 2 });
      const record = await recordFor(mw.glassbox!, res);
      const queries = queriesOf(record);
      expect(queries.map((q) => q.params)).toEqual([[n], [n]]);
      expect(queries.map((q) => q.sql)).toEqual(["SELECT $1::int AS n", "SELECT $1::int * 2 AS double"]);
    }
    const ids = new Set<string>();
    for (const res of responses) {
      for (const q of queriesOf(await recordFor(mw.glassbox!, res))) ids.add(q.queryId);
    }
    expect(ids.size).toBe(REQUESTS * 2);
  });
});
