// The Explain button on recorded SQL queries, in the toolbar on the app's own page and in the
// dashboard: a real Express app on a real socket, better-sqlite3 (and PostgreSQL when it is up)
// instrumented, EXPLAIN configured, Debian's Chromium clicking.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import express from "express";
import pg from "pg";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GlassboxExpressMiddleware, glassbox } from "../../src/adapters/express.js";
import type { GlassboxOptions } from "../../src/core/config.js";
import { instrumentBetterSqlite3 } from "../../src/instrument/better-sqlite3.js";
import { instrumentPg } from "../../src/instrument/pg.js";
import type { SqlPanelData } from "../../src/panels/sql/types.js";
import { browserUnavailable, launchBrowser, openRecordedPage, SCREENSHOTS } from "../helpers/browser.js";
import { listen, type Running, recordFor, testOptions } from "../helpers/http.js";
import { serviceMissing } from "../helpers/services.js";

const SHOTS = SCREENSHOTS;
const BOOKS = "gb_ui_explain_books";
const VISITS = "gb_ui_explain_visits";
const SELECT_SQL = `SELECT id, title FROM ${BOOKS} WHERE author = ?`;
const INSERT_SQL = `INSERT INTO ${VISITS} (path) VALUES (?)`;

interface App {
  url: string;
  mw: GlassboxExpressMiddleware;
  close(): Promise<void>;
}

type PageBody = (req: express.Request) => Promise<string> | string;

/** An Express app whose HTML page reads books by an unindexed column and writes a visit. */
async function startApp(options: GlassboxOptions, page: PageBody): Promise<App> {
  const { app, mw } = explainApp(options, page);
  const running: Running = await listen(createServer(app));
  return {
    url: running.url,
    mw,
    async close() {
      await running.close();
      await mw.glassbox?.close();
    },
  };
}

function explainApp(options: GlassboxOptions, page: PageBody) {
  const mw = glassbox({ ...testOptions(), ...options });
  const app = express();
  app.use(mw);
  app.get("/", async (req, res, next) => {
    try {
      const rows = await page(req);
      res.type("html").send(`<!doctype html><html><head><title>Books</title></head>
<body><h1>Books by author 7</h1><p>${rows}</p></body></html>`);
    } catch (error) {
      next(error);
    }
  });
  return { app, mw };
}

/** The UI under test is this tree's: always rebuild it, a bundle from before would lack the button. */
function buildUi(): void {
  execFileSync(process.execPath, ["scripts/build-ui.mjs"], { stdio: "inherit" });
}

async function recordId(url: string, mw: GlassboxExpressMiddleware): Promise<string> {
  const res = await fetch(url);
  await res.text();
  return (await recordFor(mw.glassbox!, res)).id;
}

const skipBrowser = browserUnavailable();

describe.skipIf(skipBrowser)("Explain buttons on SQLite queries", () => {
  let dir: string;
  let db: Database.Database;
  let undo: () => void;
  let configured: App;
  let unconfigured: App;
  let explainFile: string;
  let page: PageBody;
  let browser: Browser;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    buildUi();
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "gb-ui-explain-"));
    const file = join(dir, "books.db");
    undo = instrumentBetterSqlite3(Database);
    db = new Database(file);
    db.exec(`CREATE TABLE ${BOOKS} (id INTEGER PRIMARY KEY, author TEXT NOT NULL, title TEXT NOT NULL)`);
    db.exec(`CREATE TABLE ${VISITS} (id INTEGER PRIMARY KEY, path TEXT NOT NULL)`);
    const insert = db.prepare(`INSERT INTO ${BOOKS} (author, title) VALUES (?, ?)`);
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(`author-${i % 300}`, `Book ${i}`);
    })();
    explainFile = file;
    page = () => {
      const rows = db.prepare(SELECT_SQL).all("author-7") as Array<{ title: string }>;
      db.prepare(INSERT_SQL).run("/");
      return rows.map((r) => r.title).join(", ");
    };
    configured = await startApp({ explain: { sqlite: { path: file } } }, page);
    unconfigured = await startApp({}, page);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await configured?.close();
    await unconfigured?.close();
    undo?.();
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  /** A fresh page with dialogs and page errors recorded. */
  async function open(url: string) {
    const opened = await openRecordedPage(browser, url, { viewport: { width: 1200, height: 760 } });
    context = opened.context;
    return opened;
  }

  /** Opens the toolbar's SQL panel on the app's page and returns the panel. */
  async function toolbarSqlPanel(page: Page): Promise<Locator> {
    const handle = page.locator("glassbox-toolbar .gbt-handle");
    await handle.click();
    await page.locator('glassbox-toolbar [data-panel="sql"]').click();
    const panel = page.locator('glassbox-toolbar [data-panel-view="sql"]');
    await panel.locator(".gb-view").waitFor();
    return panel;
  }

  /** The queries table's row holding `sql`. */
  const queryRow = (panel: Locator, sql: string) =>
    panel.locator("table.gb-table > tbody > tr", { has: panel.page().locator("code", { hasText: sql }) });

  it("in the toolbar: Explain on the recorded SELECT shows the plan and the full-scan hint", async () => {
    const { page, dialogs, errors } = await open(`${configured.url}/`);
    const panel = await toolbarSqlPanel(page);

    const buttons = panel.getByRole("button", { name: "Explain", exact: true });
    await expect.poll(() => buttons.count()).toBe(1);
    // The INSERT is listed, without a button: EXPLAIN plans only read-only queries.
    const insertRow = queryRow(panel, INSERT_SQL);
    await expect(insertRow.count()).resolves.toBe(1);
    await expect(insertRow.locator("button.gb-action").count()).resolves.toBe(0);

    const selectRow = queryRow(panel, SELECT_SQL);
    const button = selectRow.getByRole("button", { name: "Explain", exact: true });
    await expect(button.getAttribute("aria-expanded")).resolves.toBe("false");
    await button.click();
    const answer = panel.locator(".gb-row-detail .gb-action-result");
    await expect.poll(() => answer.textContent(), { timeout: 10_000 }).toContain(`SCAN ${BOOKS}`);
    const text = (await answer.textContent()) ?? "";
    expect(text).toMatch(new RegExp(`Full scan of ${BOOKS} \\(about \\d+ rows\\)`));
    expect(text).toContain(`${BOOKS} is filtered or joined on author without an index.`);
    expect(text).toContain(`CREATE INDEX ${BOOKS}_author_idx ON ${BOOKS} (author);`);
    await expect(button.getAttribute("aria-expanded")).resolves.toBe("true");
    await answer.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/toolbar-explain.png` });

    // glassbox's own calls (session, EXPLAIN) are not listed as the page's calls.
    await expect(page.locator("glassbox-toolbar .gbt-requests li").count()).resolves.toBe(1);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("in the toolbar: the button works from the keyboard and hides its answer", async () => {
    const { page, errors } = await open(`${configured.url}/`);
    const panel = await toolbarSqlPanel(page);
    const button = queryRow(panel, SELECT_SQL).getByRole("button", { name: "Explain", exact: true });
    await button.focus();
    await page.keyboard.press("Enter");
    const answer = panel.locator(".gb-action-result");
    await expect.poll(() => answer.textContent(), { timeout: 10_000 }).toContain(`SCAN ${BOOKS}`);
    await page.keyboard.press("Space");
    await expect.poll(() => answer.count()).toBe(0);
    await expect(button.getAttribute("aria-expanded")).resolves.toBe("false");
    await page.keyboard.press("Enter");
    await expect.poll(() => answer.textContent(), { timeout: 10_000 }).toContain(`SCAN ${BOOKS}`);
    expect(errors).toEqual([]);
  });

  it("in the dashboard request detail: Explain shows the plan and the hints", async () => {
    const id = await recordId(`${configured.url}/`, configured.mw);
    const { page, dialogs, errors } = await open(`${configured.url}/__glassbox/#/requests/${id}?panel=sql`);
    const panel = page.locator(".gb-panel-content");
    const buttons = panel.getByRole("button", { name: "Explain", exact: true });
    await expect.poll(() => buttons.count()).toBe(1);
    await expect(queryRow(panel, INSERT_SQL).locator("button.gb-action").count()).resolves.toBe(0);
    await buttons.click();
    const answer = panel.locator(".gb-row-detail .gb-action-result");
    await expect.poll(() => answer.textContent(), { timeout: 10_000 }).toContain(`SCAN ${BOOKS}`);
    expect(await answer.textContent()).toContain(`Full scan of ${BOOKS}`);
    await answer.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/dashboard-explain.png` });
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("after the app restarts with a new session token, Explain in an open dashboard fetches it again", async () => {
    const options = { explain: { sqlite: { path: explainFile } } };
    let current = explainApp(options, page);
    let handler = current.app;
    // One port across the restart, as with a file watcher restarting the app under an open tab.
    const running = await listen(createServer((req, res) => handler(req, res)));
    try {
      const firstId = await recordId(`${running.url}/`, current.mw);
      const {
        page: tab,
        dialogs,
        errors,
      } = await open(`${running.url}/__glassbox/#/requests/${firstId}?panel=sql`);
      const sessions: string[] = [];
      tab.on("request", (r) => {
        if (r.url().endsWith("/__glassbox/api/session")) sessions.push(r.url());
      });
      const panel = tab.locator(".gb-panel-content");
      const answer = panel.locator(".gb-row-detail .gb-action-result");
      await panel.getByRole("button", { name: "Explain", exact: true }).click();
      await expect.poll(() => answer.textContent(), { timeout: 10_000 }).toContain(`SCAN ${BOOKS}`);
      expect(sessions).toHaveLength(1);

      // The restart: a new glassbox instance (a new token) answers on the same port.
      await current.mw.glassbox?.close();
      current = explainApp(options, page);
      handler = current.app;
      const secondId = await recordId(`${running.url}/`, current.mw);
      await tab.evaluate((id) => {
        location.hash = `#/requests/${id}?panel=sql`;
      }, secondId);
      await expect.poll(() => tab.locator(".gb-panel-content").textContent()).toContain(SELECT_SQL);
      await panel.getByRole("button", { name: "Explain", exact: true }).click();
      // The old token is refused once; the page fetches the new one and the plan arrives.
      await expect.poll(() => answer.textContent(), { timeout: 10_000 }).toContain(`SCAN ${BOOKS}`);
      expect(await answer.textContent()).not.toContain("X-Glassbox-Token");
      expect(sessions).toHaveLength(2);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await running.close();
      await current.mw.glassbox?.close();
    }
  });

  it("without EXPLAIN configured for the database, the click shows the server's error as text", async () => {
    const { page, dialogs, errors } = await open(`${unconfigured.url}/`);
    const panel = await toolbarSqlPanel(page);
    await queryRow(panel, SELECT_SQL).getByRole("button", { name: "Explain", exact: true }).click();
    const answer = panel.locator(".gb-action-result .gb-tone-error");
    await expect
      .poll(() => answer.textContent(), { timeout: 10_000 })
      .toBe(
        "no EXPLAIN connection for SQLite: pass explain.sqlite to glassbox() (GBX_EXPLAIN_NOT_CONFIGURED)",
      );
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("a recorded INSERT offers no button, and asking the endpoint for it directly is refused", async () => {
    const res = await fetch(`${configured.url}/`);
    await res.text();
    const record = await recordFor(configured.mw.glassbox!, res);
    const queries = (record.panels.sql!.data as SqlPanelData).queries;
    const insert = queries.find((q) => q.sql === INSERT_SQL)!;
    const views = (await (
      await fetch(`${configured.url}/__glassbox/api/requests/${record.id}/views`)
    ).json()) as Record<string, unknown>;
    const sqlView = JSON.stringify(views.sql);
    expect(sqlView).toContain(`"queryId":"${queries.find((q) => q.sql === SELECT_SQL)!.queryId}"`);
    expect(sqlView).not.toContain(`"queryId":"${insert.queryId}"`);

    const before = db.prepare(`SELECT count(*) AS n FROM ${VISITS}`).get() as { n: number };
    const session = (await (await fetch(`${configured.url}/__glassbox/api/session`)).json()) as {
      token: string;
    };
    const forced = await fetch(
      `${configured.url}/__glassbox/api/requests/${record.id}/queries/${insert.queryId}/explain`,
      {
        method: "POST",
        headers: { "content-type": "application/json", "x-glassbox-token": session.token },
        body: "{}",
      },
    );
    expect(forced.status).toBe(422);
    expect(((await forced.json()) as { code: string }).code).toBe("GBX_EXPLAIN_NOT_READ_ONLY");
    expect(db.prepare(`SELECT count(*) AS n FROM ${VISITS}`).get()).toEqual(before);
  });
});

const PG = { host: "127.0.0.1", port: 5432, user: "postgres", database: "test" };
const pgMissing = skipBrowser ? true : await serviceMissing("PostgreSQL", 5432);

describe.skipIf(pgMissing)("Explain buttons on PostgreSQL queries", () => {
  const TABLE = "gb_ui_explain_pg_books";
  let undo: () => void;
  let admin: pg.Client;
  let pool: pg.Pool;
  let app: App;
  let browser: Browser;

  beforeAll(async () => {
    buildUi();
    undo = instrumentPg(pg);
    admin = new pg.Client(PG);
    await admin.connect();
    await admin.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await admin.query(`CREATE TABLE ${TABLE} (id serial PRIMARY KEY, author_id int NOT NULL, title text)`);
    await admin.query(
      `INSERT INTO ${TABLE} (author_id, title) SELECT i % 400, 'book ' || i FROM generate_series(1, 8000) i`,
    );
    await admin.query(`ANALYZE ${TABLE}`);
    pool = new pg.Pool({ ...PG, max: 2 });
    app = await startApp({ explain: { postgres: PG } }, async () => {
      const { rows } = await pool.query(`SELECT title FROM ${TABLE} WHERE author_id = $1`, [7]);
      return rows.map((r: { title: string }) => r.title).join(", ");
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await pool?.end();
    await admin?.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await admin?.end();
    undo?.();
  });

  it("plans with Explain, and Explain analyze says how to enable it when it is off", async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${app.url}/`);
      await page.locator("glassbox-toolbar .gbt-handle").click();
      await page.locator('glassbox-toolbar [data-panel="sql"]').click();
      const panel = page.locator('glassbox-toolbar [data-panel-view="sql"]');
      await panel.getByRole("button", { name: "Explain", exact: true }).click();
      const answers = panel.locator(".gb-row-detail .gb-action-result");
      await expect
        .poll(() => answers.first().textContent(), { timeout: 10_000 })
        .toContain(`Seq Scan on ${TABLE}`);
      expect(await answers.first().textContent()).toContain(`Full scan of ${TABLE}`);

      await panel.getByRole("button", { name: "Explain analyze", exact: true }).click();
      await expect
        .poll(() => answers.nth(1).textContent(), { timeout: 10_000 })
        .toContain("EXPLAIN ANALYZE runs the query; enable it with the explain.analyze option");
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
