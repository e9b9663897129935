import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instrumentBetterSqlite3 } from "../../src/instrument/better-sqlite3.js";
import { instrumentPg } from "../../src/instrument/pg.js";
import { sqlPanel } from "../../src/panels/sql/index.js";
import { serviceMissing } from "../helpers/services.js";
import { at, type SqlApp, site, sqlData, startApp } from "./support.js";

const PG = { host: "127.0.0.1", port: 5432, user: "postgres", database: "test", max: 4 };
const AUTHORS = 20;

/** 20 authors with 2 books each. */
const seed = {
  authors: Array.from({ length: AUTHORS }, (_, i) => [i + 1, `author ${i + 1}`] as const),
  books: Array.from({ length: AUTHORS * 2 }, (_, i) => [i + 1, (i % AUTHORS) + 1, `book ${i + 1}`] as const),
};

describe.skipIf(await serviceMissing("PostgreSQL", 5432))("N+1 detection on PostgreSQL", () => {
  let undo: () => void;
  let pool: pg.Pool;
  let app: SqlApp;

  beforeAll(async () => {
    undo = instrumentPg(pg);
    pool = new pg.Pool(PG);
    await pool.query("DROP TABLE IF EXISTS gb_sql_np_books, gb_sql_np_authors");
    await pool.query("CREATE TABLE gb_sql_np_authors (id int PRIMARY KEY, name text)");
    await pool.query("CREATE TABLE gb_sql_np_books (id int PRIMARY KEY, author_id int, title text)");
    for (const [id, name] of seed.authors)
      await pool.query("INSERT INTO gb_sql_np_authors VALUES ($1, $2)", [id, name]);
    for (const [id, author, title] of seed.books)
      await pool.query("INSERT INTO gb_sql_np_books VALUES ($1, $2, $3)", [id, author, title]);
    app = await startApp((a) => {
      a.get("/one-by-one", async (_req, res) => {
        const authors = await pool.query("SELECT id, name FROM gb_sql_np_authors ORDER BY id");
        const out = [];
        for (const author of authors.rows) {
          const books = await at("books", () => pool.query(BOOKS_OF, [author.id]));
          out.push({ ...author, books: books.rows.length });
        }
        res.json(out);
      });
      a.get("/joined", async (_req, res) => {
        const rows = await pool.query(JOINED);
        res.json(rows.rows);
      });
    });
  });

  const BOOKS_OF = "SELECT id, title FROM gb_sql_np_books WHERE author_id = $1";
  const JOINED =
    "SELECT a.id, a.name, count(b.id)::int AS books FROM gb_sql_np_authors a LEFT JOIN gb_sql_np_books b ON b.author_id = a.id GROUP BY a.id ORDER BY a.id";

  afterAll(async () => {
    await app?.close();
    await pool?.query("DROP TABLE IF EXISTS gb_sql_np_books, gb_sql_np_authors");
    await pool?.end();
    undo?.();
  });

  it("flags authors-then-books-one-by-one as N+1 with its call site, count and a fix", async () => {
    const { body, record } = await app.get("/one-by-one");
    expect(JSON.parse(body)).toHaveLength(AUTHORS);
    const data = sqlData(record);
    expect(data.queries).toHaveLength(AUTHORS + 1);
    expect(data.nplusone).toHaveLength(1);
    const [group] = data.nplusone;
    expect(group).toMatchObject({
      normalized: "SELECT id, title FROM gb_sql_np_books WHERE author_id = ?",
      count: AUTHORS,
    });
    expect(group!.callSite).toMatchObject(site("books"));
    expect(group!.totalMs).toBeGreaterThan(0);
    expect(group!.suggestion).toContain("author_id = ANY($1)");
    expect(group!.queryIds).toHaveLength(AUTHORS);
    expect(record.stats).toMatchObject({
      "sql.queries": AUTHORS + 1,
      "sql.nplusone": 1,
      "sql.similar": AUTHORS - 1,
    });
    // Exactly one alert for the one N+1 group.
    const nplusone = record.alerts.filter((a) => a.rule === "sql.nplusone");
    expect(nplusone).toHaveLength(1);
    expect(nplusone[0]?.message).toContain(`ran ${AUTHORS} times`);
    expect(record.panels.sql?.summary).toContain("1 N+1");
    // The toolbar's view of the stored data leads with the N+1 group and its fix.
    const nodes = sqlPanel.view!(data, record);
    const n1 = nodes.find((n) => n.type === "section" && n.title === "N+1 queries");
    expect(JSON.stringify(n1)).toContain("author_id = ANY($1)");
    expect(JSON.stringify(nodes)).toContain(`${AUTHORS}× from ${site("books").file}:${site("books").line}`);
  });

  it("does not flag the same page written with a JOIN", async () => {
    const { body, record } = await app.get("/joined");
    expect((JSON.parse(body) as { books: number }[]).every((r) => r.books === 2)).toBe(true);
    expect(sqlData(record).nplusone).toEqual([]);
    expect(record.stats).toMatchObject({ "sql.queries": 1, "sql.nplusone": 0 });
    expect(record.alerts.filter((a) => a.rule === "sql.nplusone")).toEqual([]);
  });
});

describe("N+1 detection on SQLite", () => {
  let undo: () => void;
  let db: Database.Database;
  let app: SqlApp;

  beforeAll(async () => {
    undo = instrumentBetterSqlite3(Database);
    db = new Database(":memory:");
    db.exec("CREATE TABLE gb_sql_np_authors (id INTEGER PRIMARY KEY, name TEXT)");
    db.exec("CREATE TABLE gb_sql_np_books (id INTEGER PRIMARY KEY, author_id INTEGER, title TEXT)");
    const addAuthor = db.prepare("INSERT INTO gb_sql_np_authors VALUES (?, ?)");
    const addBook = db.prepare("INSERT INTO gb_sql_np_books VALUES (?, ?, ?)");
    for (const a of seed.authors) addAuthor.run(...a);
    for (const b of seed.books) addBook.run(...b);
    app = await startApp(
      (a) => {
        a.get("/one-by-one", (_req, res) => {
          const authors = db.prepare("SELECT id, name FROM gb_sql_np_authors").all() as { id: number }[];
          const booksOf = db.prepare("SELECT title FROM gb_sql_np_books WHERE author_id = ?");
          res.json(authors.map((author) => at("lite-books", () => booksOf.all(author.id)).length));
        });
        a.get("/joined", (_req, res) => {
          const sql =
            "SELECT a.id, count(b.id) AS books FROM gb_sql_np_authors a JOIN gb_sql_np_books b ON b.author_id = a.id GROUP BY a.id";
          res.json(db.prepare(sql).all());
        });
        a.get("/few", (_req, res) => {
          const booksOf = db.prepare("SELECT title FROM gb_sql_np_books WHERE author_id = ?");
          res.json([1, 2, 3, 4].map((id) => booksOf.all(id).length));
        });
      },
      { sql: { nPlusOneThreshold: 5 } },
    );
  });

  afterAll(async () => {
    await app?.close();
    db?.close();
    undo?.();
  });

  it("flags the loop with the count, the call site and an IN (...) fix", async () => {
    const { record } = await app.get("/one-by-one");
    const [group] = sqlData(record).nplusone;
    expect(group).toMatchObject({ count: AUTHORS, callSite: site("lite-books") });
    expect(group!.suggestion).toContain("author_id IN (?, ?, …)");
  });

  it("does not flag the JOIN, nor a loop below the threshold", async () => {
    expect(sqlData((await app.get("/joined")).record).nplusone).toEqual([]);
    const few = await app.get("/few");
    expect(sqlData(few.record).nplusone).toEqual([]);
    expect(few.record.stats["sql.similar"]).toBe(3);
  });
});
