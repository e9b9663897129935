import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  browserUnavailable,
  ensureUiBuilt,
  launchBrowser,
  PAYLOADS,
  SCREENSHOTS,
} from "../helpers/browser.js";
import { waitForRecords } from "../helpers/http.js";
import { type DashboardApp, startDashboardApp } from "./dashboard-app.js";
import { makeRecord } from "./records.js";

const skip = browserUnavailable();
const SHOTS = SCREENSHOTS;

describe.skipIf(skip)("dashboard in the browser", () => {
  let app: DashboardApp;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];

  beforeAll(async () => {
    ensureUiBuilt();
    app = await startDashboardApp();
    // Real traffic: two users, an order, a failure and a slow page.
    for (const path of ["/users/1", "/users/2"]) await fetch(`${app.url}${path}`);
    await fetch(`${app.url}/orders`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    await fetch(`${app.url}/boom`);
    await fetch(`${app.url}/slow`);
    await waitForRecords(app.gb, 5);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const rowsPaths = () => page.locator("table.gb-requests tbody td.gb-path").allTextContents();
  const open = async (hash: string) => {
    await page.goto(`${app.dashboard}${hash}`);
  };

  it("lists recorded requests with their columns", async () => {
    await open("#/");
    await expect.poll(rowsPaths).toHaveLength(5);
    const paths = await rowsPaths();
    expect(paths).toEqual(expect.arrayContaining(["/users/1", "/users/2", "/orders", "/boom", "/slow"]));
    const boom = page.locator("tr", { has: page.locator("td.gb-path", { hasText: "/boom" }) });
    await expect.poll(() => boom.locator("td").nth(5).textContent()).toBe("500");
    expect(await page.getByTestId("count").textContent()).toContain("of 5 requests");
    await page.screenshot({ path: `${SHOTS}/dashboard-list.png` });
  });

  it("narrows the list by method, status class, path text and route", async () => {
    await open("#/");
    await expect.poll(rowsPaths).toHaveLength(5);
    await page.selectOption("select[name=method]", "POST");
    await expect.poll(rowsPaths).toEqual(["/orders"]);
    await page.selectOption("select[name=method]", "");
    await page.selectOption("select[name=status]", "5xx");
    await expect.poll(rowsPaths).toEqual(["/boom"]);
    await page.selectOption("select[name=status]", "");
    await page.fill("input[name=path]", "users");
    await expect.poll(async () => (await rowsPaths()).sort()).toEqual(["/users/1", "/users/2"]);
    await page.fill("input[name=path]", "");
    await page.fill("input[name=route]", "/users/:id");
    await page.fill("input[name=min]", "0");
    await page.press("input[name=route]", "Enter");
    await expect.poll(async () => (await rowsPaths()).sort()).toEqual(["/users/1", "/users/2"]);
    // Filters live in the hash: a reload keeps them.
    await page.reload();
    await expect.poll(async () => (await rowsPaths()).sort()).toEqual(["/users/1", "/users/2"]);
    expect(await page.inputValue("input[name=route]")).toBe("/users/:id");
  });

  it("filters with the query syntax, and shows the error of an invalid query", async () => {
    await open("#/");
    await expect.poll(rowsPaths).toHaveLength(5);
    await page.fill("#gb-q", "status:>=500");
    await page.press("#gb-q", "Enter");
    await expect.poll(rowsPaths).toEqual(["/boom"]);
    await page.fill("#gb-q", "method:GET duration:>=50ms");
    await page.press("#gb-q", "Enter");
    await expect.poll(rowsPaths).toEqual(["/slow"]);
    await page.fill("#gb-q", "colour:blue");
    await page.press("#gb-q", "Enter");
    const error = page.locator(".gb-filters [role=alert]");
    await expect.poll(() => error.textContent()).toContain('unknown field "colour"');
    expect(await rowsPaths()).toEqual([]);
    // Fixing the query clears the error.
    await page.fill("#gb-q", "users");
    await page.press("#gb-q", "Enter");
    await expect.poll(() => error.count()).toBe(0);
    await expect.poll(async () => (await rowsPaths()).sort()).toEqual(["/users/1", "/users/2"]);
  });

  it("sorts by a column when its header is clicked", async () => {
    await open("#/");
    await expect.poll(rowsPaths).toHaveLength(5);
    await page.getByRole("button", { name: "Duration" }).click();
    await expect.poll(async () => (await rowsPaths())[0]).toBe("/slow");
    expect(await page.locator("th[aria-sort]").getAttribute("aria-sort")).toBe("descending");
    await page.getByRole("button", { name: "Duration" }).click();
    await expect.poll(async () => (await rowsPaths()).at(-1)).toBe("/slow");
  });

  it("shows new requests live, without a reload, and holds them while paused", async () => {
    await open("#/");
    await expect.poll(rowsPaths).toHaveLength(5);
    await expect.poll(() => page.locator(".gb-live").textContent()).toBe("Live");
    await fetch(`${app.url}/users/live-1`);
    await expect.poll(rowsPaths, { timeout: 5000 }).toContain("/users/live-1");
    await page.locator(".gb-live").click();
    await fetch(`${app.url}/users/live-2`);
    await expect.poll(() => page.locator(".gb-pending").textContent()).toContain("1 new");
    expect(await rowsPaths()).not.toContain("/users/live-2");
    await page.locator(".gb-live").click();
    await expect.poll(rowsPaths).toContain("/users/live-2");
  });

  it("opens a request's detail with its panels and a timeline waterfall", async () => {
    const slow = (await app.gb.store.list({ where: [{ field: "path", op: "=", value: "/slow" }] }))
      .records[0]!;
    await open(`#/requests/${slow.id}`);
    await expect.poll(() => page.locator(".gb-detail-path").textContent()).toBe("/slow");
    const bars = page.locator(".gb-wf-row[data-panel=logging]");
    await expect.poll(() => bars.count()).toBe(2);
    expect(await bars.first().locator(".gb-wf-text").textContent()).toContain("slow start");
    // The second log line is ~60 ms in: its marker sits well right of the first.
    const x = async (i: number) => (await bars.nth(i).locator(".gb-wf-bar").boundingBox())!.x;
    expect((await x(1)) - (await x(0))).toBeGreaterThan(100);
    // Every panel is listed; clicking one shows its view.
    await page.getByRole("button", { name: /^Logs/ }).click();
    await expect.poll(() => page.locator(".gb-panel-content").textContent()).toContain("slow end");
  });

  it("draws SQL bars on the waterfall, with the request's total as the full width", async () => {
    const record = makeRecord({
      path: "/orders/42",
      durationMs: 40,
      logs: ["loading order"],
      queries: [
        { sql: "select * from orders where id = 42", durationMs: 10, at: 2 },
        { sql: "select * from order_lines where order_id = 42", durationMs: 20, at: 15 },
      ],
    });
    app.gb.store.add(record);
    await open(`#/requests/${record.id}`);
    const sql = page.locator(".gb-wf-row[data-panel=sql] .gb-wf-bar");
    await expect.poll(() => sql.count()).toBe(2);
    const track = (await page.locator(".gb-wf-total .gb-wf-track").boundingBox())!;
    const second = (await sql.nth(1).boundingBox())!;
    // 15 ms + 20 ms of a 40 ms request: from 37.5% to 87.5% of the track.
    expect((second.x - track.x) / track.width).toBeCloseTo(0.375, 1);
    expect(second.width / track.width).toBeCloseTo(0.5, 1);
    await page.screenshot({ path: `${SHOTS}/dashboard-detail.png`, fullPage: true });
  });

  it("compares two requests: a differing query and a differing duration are highlighted", async () => {
    const common = "select id, name from customers where id = $1";
    const a = makeRecord({
      path: "/orders/7",
      durationMs: 12,
      queries: [
        { sql: common, durationMs: 2 },
        { sql: "select * from orders where id = 7", durationMs: 3 },
      ],
    });
    const b = makeRecord({
      path: "/orders/8",
      durationMs: 95,
      status: 200,
      queries: [
        { sql: common, durationMs: 2 },
        { sql: "select * from orders where id = 8", durationMs: 3 },
        { sql: "select * from audit_log where order_id = 8", durationMs: 70 },
      ],
    });
    app.gb.store.add(a);
    app.gb.store.add(b);
    await open(`#/compare?a=${a.id}&b=${b.id}`);
    const duration = page.locator("tr[data-field=Duration]");
    await expect.poll(() => duration.getAttribute("data-diff")).toBe("true");
    expect(await duration.textContent()).toContain("+83 ms");
    expect(await page.locator("tr[data-field=Route]").getAttribute("data-diff")).toBe("false");
    const added = page.locator("tr[data-change=new]");
    await expect.poll(() => added.count()).toBe(1);
    expect(await added.textContent()).toContain("select * from audit_log where order_id = ?");
    // Same shape with other literals is the same query.
    expect(await page.locator("tr[data-change=same]").count()).toBe(2);
    expect(await page.locator("tr[data-field='sql.queries']").getAttribute("data-diff")).toBe("true");
    await page.screenshot({ path: `${SHOTS}/dashboard-compare.png`, fullPage: true });
  });

  it("compares a request with its route's baseline", async () => {
    const usual = [
      { sql: "select * from orders where id = 1", durationMs: 2 },
      { sql: "select * from order_lines where order_id = 1", durationMs: 3 },
    ];
    for (let i = 0; i < 5; i++)
      app.gb.store.add(
        makeRecord({ route: "/baseline/:id", path: `/baseline/${i}`, durationMs: 10 + i, queries: usual }),
      );
    const odd = makeRecord({
      route: "/baseline/:id",
      path: "/baseline/99",
      durationMs: 80,
      queries: [...usual, { sql: "select pg_sleep(0.07)", durationMs: 70 }],
    });
    app.gb.store.add(odd);
    await open(`#/requests/${odd.id}`);
    await page.getByRole("link", { name: "Compare with route baseline" }).click();
    await expect.poll(() => page.locator(".gb-side").nth(1).textContent()).toContain("median of 5");
    await expect.poll(() => page.locator("tr[data-field=Duration]").textContent()).toContain("12.0 ms");
    expect(await page.locator("tr[data-change=missing]").textContent()).toContain("select pg_sleep(?)");
  });

  it("renders trends with real charts", async () => {
    const now = Date.now();
    for (let i = 0; i < 120; i++) {
      const route = i % 3 === 0 ? "/reports/:id" : "/orders/:id";
      app.gb.store.add(
        makeRecord({
          route,
          path: route.replace(":id", String(i)),
          startedAt: now - (i % 30) * 60_000 - 1000,
          durationMs: route === "/reports/:id" ? 150 + (i % 7) * 10 : 10 + (i % 5),
          status: i % 17 === 0 ? 500 : 200,
          stats: { "sql.queries": route === "/reports/:id" ? 12 : 2 },
        }),
      );
    }
    await open("#/trends");
    await expect.poll(() => page.locator(".gb-chart canvas").count()).toBe(3);
    const slowest = page.locator(".gb-route-table").first().locator("tbody tr");
    await expect.poll(() => slowest.first().textContent()).toContain("GET /reports/:id");
    const most = page.locator(".gb-route-table").nth(1).locator("tbody tr");
    expect(await most.first().textContent()).toContain("GET /reports/:id");
    // The request-rate series has points: the legend shows live values, the canvas is drawn.
    const painted = await page
      .locator(".gb-chart canvas")
      .first()
      .evaluate((c: HTMLCanvasElement) => {
        const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) ink++;
        return ink;
      });
    expect(painted).toBeGreaterThan(500);
    await page.screenshot({ path: `${SHOTS}/dashboard-trends.png`, fullPage: true });
  });

  it("shows hostile paths, headers, queries, logs and SQL as text: no dialog, no injected element", async () => {
    const [script, img, js] = PAYLOADS as [string, string, string];
    // A real request carrying payloads in a header, the query string and a log line.
    await fetch(`${app.url}/echo?q=${encodeURIComponent(img)}`, { headers: { "x-evil": script } });
    const hostile = makeRecord({
      path: `/x/${script}${img}`,
      route: `/x/${js}`,
      method: "GET",
      logs: [script, img, js],
      requestHeaders: { "x-evil": img, referer: js },
      query: { q: script, next: js },
      queries: [{ sql: `select '${script}' as a, '${img}' as b, '${js}' as c`, durationMs: 1 }],
    });
    const other = makeRecord({ path: js, queries: [{ sql: `select '${img}'`, durationMs: 1 }] });
    app.gb.store.add(hostile);
    app.gb.store.add(other);
    const injected = () =>
      page.evaluate(() => ({
        imgs: document.querySelectorAll("img").length,
        scripts: document.querySelectorAll("script").length,
        jsLinks: [...document.querySelectorAll("a")].filter((a) => a.href.startsWith("javascript:")).length,
      }));

    await open(`#/?path=${encodeURIComponent("/x/")}`);
    await expect.poll(rowsPaths).toEqual([`/x/${script}${img}`]);
    expect(await injected()).toEqual({ imgs: 0, scripts: 1, jsLinks: 0 });

    await open(`#/requests/${hostile.id}`);
    await expect.poll(() => page.locator(".gb-detail-path").textContent()).toBe(`/x/${script}${img}`);
    expect(await page.locator(".gb-wf-text").allTextContents()).toContain(`info: ${script}`);
    for (const name of [/^Request/, /^Headers/, /^Logs/, /^SQL/]) {
      await page.getByRole("button", { name }).click();
      await page.waitForTimeout(50);
      expect(await injected()).toEqual({ imgs: 0, scripts: 1, jsLinks: 0 });
    }
    expect(await page.locator(".gb-panel-content").textContent()).toContain(script);

    const echo = (await app.gb.store.list({ where: [{ field: "path", op: "=", value: "/echo" }] }))
      .records[0]!;
    await open(`#/requests/${echo.id}`);
    await page.getByRole("button", { name: /^Headers/ }).click();
    await expect.poll(() => page.locator(".gb-panel-content").textContent()).toContain(script);
    await page.getByRole("button", { name: /^Logs/ }).click();
    await expect.poll(() => page.locator(".gb-panel-content").textContent()).toContain(`echo ${img}`);

    await open(`#/compare?a=${hostile.id}&b=${other.id}`);
    // Each side's query, normalized (the literals carrying the payloads become ?), listed as text.
    await expect
      .poll(() => page.locator(".gb-query-diff").textContent())
      .toContain("select ? as a, ? as b, ? as c");
    expect(await page.locator(".gb-query-diff").textContent()).toMatch(/select \?(?! as)/);
    expect(await page.locator(".gb-compare").textContent()).toContain(`/x/${script}${img}`);
    expect(await injected()).toEqual({ imgs: 0, scripts: 1, jsLinks: 0 });
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
  });

  it("ran without page errors or CSP violations", () => {
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
