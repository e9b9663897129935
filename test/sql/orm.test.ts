import knex, { type Knex } from "knex";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instrumentPg } from "../../src/instrument/pg.js";
import { serviceMissing } from "../helpers/services.js";
import { at, queriesOf, type SqlApp, site, sqlData, startApp } from "./support.js";

const PG = { host: "127.0.0.1", port: 5432, user: "postgres", database: "test" };

interface Tables {
  gb_sql_orm_authors: { id: number; name: string };
  gb_sql_orm_books: { id: number; author_id: number; title: string };
}

describe.skipIf(await serviceMissing("PostgreSQL", 5432))("ORMs and query builders through pg", () => {
  let undo: () => void;
  let kysely: Kysely<Tables>;
  let kx: Knex;
  let app: SqlApp;

  beforeAll(async () => {
    undo = instrumentPg(pg);
    kysely = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: new pg.Pool({ ...PG, max: 3 }) }) });
    kx = knex({ client: "pg", connection: PG, pool: { min: 0, max: 3 } });
    await kx.schema.dropTableIfExists("gb_sql_orm_books").dropTableIfExists("gb_sql_orm_authors");
    await kx.schema.createTable("gb_sql_orm_authors", (t) => {
      t.integer("id").primary();
      t.text("name");
    });
    await kx.schema.createTable("gb_sql_orm_books", (t) => {
      t.integer("id").primary();
      t.integer("author_id");
      t.text("title");
    });
    await kx("gb_sql_orm_authors").insert(
      Array.from({ length: 6 }, (_, i) => ({ id: i + 1, name: `a${i + 1}` })),
    );
    await kx("gb_sql_orm_books").insert(
      Array.from({ length: 6 }, (_, i) => ({ id: i + 1, author_id: i + 1, title: `b${i}` })),
    );
    app = await startApp((a) => {
      a.get("/kysely", async (_req, res) => {
        const authors = await at("kysely-authors", () =>
          kysely.selectFrom("gb_sql_orm_authors").selectAll().execute(),
        );
        const out = [];
        for (const author of authors) {
          const q = kysely.selectFrom("gb_sql_orm_books").select("title").where("author_id", "=", author.id);
          out.push(await at("kysely-books", () => q.execute()));
        }
        res.json(out.length);
      });
      a.get("/knex", async (_req, res) => {
        const authors = await at("knex-authors", () => kx("gb_sql_orm_authors").select("id"));
        const out = [];
        for (const author of authors)
          out.push(await at("knex-books", () => kx("gb_sql_orm_books").where({ author_id: author.id })));
        res.json(out.length);
      });
      a.get("/knex-fail", async (_req, res) => {
        try {
          await kx("gb_sql_orm_missing").select("*");
          res.json({ ok: true });
        } catch (error) {
          res.status(500).json({ message: (error as Error).message });
        }
      });
    });
  });

  afterAll(async () => {
    await app?.close();
    await kx?.schema.dropTableIfExists("gb_sql_orm_books").dropTableIfExists("gb_sql_orm_authors");
    await kx?.destroy();
    await kysely?.destroy();
    undo?.();
  });

  it("Kysely: queries recorded with call sites in the app's code and N+1 found", async () => {
    const { record } = await app.get("/kysely");
    const qs = queriesOf(record);
    expect(qs).toHaveLength(7);
    expect(qs[0]).toMatchObject({ sql: 'select * from "gb_sql_orm_authors"', rows: 6, driver: "pg" });
    expect(qs[0]!.callSite?.frame).toMatchObject(site("kysely-authors"));
    expect(qs[1]).toMatchObject({
      sql: 'select "title" from "gb_sql_orm_books" where "author_id" = $1',
      params: [1],
    });
    for (const q of qs.slice(1)) expect(q.callSite?.frame).toMatchObject(site("kysely-books"));
    expect(sqlData(record).nplusone).toMatchObject([{ count: 6, callSite: site("kysely-books") }]);
  });

  it("Knex: queries recorded with call sites in the app's code and N+1 found", async () => {
    const { record } = await app.get("/knex");
    const qs = queriesOf(record);
    expect(qs).toHaveLength(7);
    expect(qs[0]).toMatchObject({ sql: 'select "id" from "gb_sql_orm_authors"', rows: 6 });
    expect(qs[0]!.callSite?.frame).toMatchObject(site("knex-authors"));
    expect(qs[1]).toMatchObject({
      sql: 'select * from "gb_sql_orm_books" where "author_id" = $1',
      params: [1],
    });
    for (const q of qs.slice(1)) expect(q.callSite?.frame).toMatchObject(site("knex-books"));
    expect(sqlData(record).nplusone).toMatchObject([{ count: 6, callSite: site("knex-books") }]);
  });

  it("Knex: a failing query is recorded and Knex still rejects with the driver's error", async () => {
    const { res, body, record } = await app.get("/knex-fail");
    expect(res.status).toBe(500);
    expect((JSON.parse(body) as { message: string }).message).toContain(
      'relation "gb_sql_orm_missing" does not exist',
    );
    expect(queriesOf(record)[0]!.error).toContain('relation "gb_sql_orm_missing" does not exist');
  });
});
