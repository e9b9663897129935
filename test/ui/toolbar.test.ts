import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  browserUnavailable,
  ensureUiBuilt,
  launchBrowser,
  openRecordedPage,
  PAYLOADS,
  SCREENSHOTS,
} from "../helpers/browser.js";
import { startUiApp, type UiApp } from "./app.js";

const SHOTS = SCREENSHOTS;

let browser: Browser;
let app: UiApp;
let context: BrowserContext | undefined;

describe.skipIf(browserUnavailable())("toolbar in a real browser", () => {
  beforeAll(async () => {
    ensureUiBuilt();
    mkdirSync(SHOTS, { recursive: true });
    app = await startUiApp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  /** A fresh browser profile (empty localStorage) with dialogs and page errors recorded. */
  async function open(path: string, scheme: "light" | "dark" = "light") {
    const opened = await openRecordedPage(browser, `${app.url}${path}`, {
      colorScheme: scheme,
      viewport: { width: 1100, height: 680 },
    });
    context = opened.context;
    await handle(opened.page).waitFor({ state: "visible" });
    return opened;
  }

  const handle = (page: Page) => page.locator("glassbox-toolbar .gbt-handle");
  const pane = (page: Page) => page.locator("glassbox-toolbar .gbt-pane");
  const panelButton = (page: Page, id: string) => page.locator(`glassbox-toolbar [data-panel="${id}"]`);
  const panelView = (page: Page, id: string) => page.locator(`glassbox-toolbar [data-panel-view="${id}"]`);

  async function openPanel(page: Page, id: string) {
    if (!(await pane(page).isVisible())) await handle(page).click();
    await panelButton(page, id).click();
    await panelView(page, id).locator(".gb-view").waitFor();
    return panelView(page, id);
  }

  it("appears on a page with the request's time and status, and opens its panels", async () => {
    const { page, errors } = await open("/");
    await expect.poll(() => handle(page).textContent()).toMatch(/\d+(\.\d)? ms.*200/);
    await page.screenshot({ path: `${SHOTS}/toolbar-collapsed-light.png` });

    await handle(page).click();
    await expect(pane(page).isVisible()).resolves.toBe(true);
    const nav = await page.locator("glassbox-toolbar .gbt-panels").textContent();
    for (const title of ["Time", "Request", "Response", "Headers", "Routes", "Logs", "Settings", "Versions"])
      expect(nav).toContain(title);
    expect(nav).toContain("2 records");
    await page.screenshot({ path: `${SHOTS}/toolbar-expanded-light.png` });

    const request = await openPanel(page, "request");
    await expect(request.textContent()).resolves.toMatch(/MethodGET.*Path\/.*HTTP version1\.1/s);

    const headers = await openPanel(page, "headers");
    const headersText = await headers.textContent();
    expect(headersText).toContain("user-agent");
    expect(headersText).toContain("x-glassbox-id");

    const logs = await openPanel(page, "logging");
    const logsText = await logs.textContent();
    expect(logsText).toContain("rendering the catalog for visitor 42");
    expect(logsText).toContain("catalog cache is cold");
    expect(await logs.locator(".gb-badge.gb-tone-warning").count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/toolbar-panel-light.png` });

    // The dashboard link points at this request's page in the dashboard.
    const id = await page
      .locator("glassbox-toolbar")
      .evaluate(() => document.querySelector("script[data-glassbox-id]")?.getAttribute("data-glassbox-id"));
    await expect(page.locator("glassbox-toolbar .gbt-link").getAttribute("href")).resolves.toBe(
      `/__glassbox/#/requests/${id}`,
    );
    expect(errors).toEqual([]);
  });

  it("renders every view node type as text, with long tables and deep trees opened on demand", async () => {
    const { page, errors } = await open("/gallery");
    const gallery = await openPanel(page, "gallery");
    const rows = gallery.locator(".gb-table tbody tr");
    await expect(rows.count()).resolves.toBe(200);
    await gallery.locator(".gb-more", { hasText: "250 hidden" }).click();
    await expect(rows.count()).resolves.toBe(450);

    const text = await gallery.textContent();
    expect(text).toContain("loadOrders /app/src/orders.ts:42:9");
    expect(text).toContain("/app/src/server.ts:88");
    expect(text).toContain("truncated");
    expect(text).not.toContain("hidden until opened");
    for (const label of ["user", "profile", "deep"])
      await gallery.locator(".gb-json-toggle", { hasText: label }).click();
    await expect(gallery.textContent()).resolves.toContain('"hidden until opened"');
    // An unknown node type is shown as data; a malformed one does not blank the panel.
    await expect(gallery.textContent()).resolves.toContain('"chart"');
    await expect(gallery.locator(".gb-lang-json").textContent()).resolves.toContain('"roles": [');
    await expect(gallery.locator(".gb-lang-sql .gb-tok-keyword").count()).resolves.toBeGreaterThan(8);
    await gallery.locator(".gb-section-title button", { hasText: "Table" }).click();
    await page.locator("glassbox-toolbar .gbt-detail").evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}/toolbar-components-light.png` });
    expect(errors).toEqual([]);
  });

  it("is keyboard accessible: buttons take Enter, Esc closes and gives focus back", async () => {
    const { page } = await open("/");
    await handle(page).focus();
    await page.keyboard.press("Enter");
    await expect(pane(page).isVisible()).resolves.toBe(true);
    await panelButton(page, "timer").focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => panelView(page, "timer").textContent()).toContain("Wall time");
    // A focused control shows a visible outline.
    const outline = await panelButton(page, "timer").evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).not.toBe("none");
    await page.keyboard.press("Escape");
    await expect(pane(page).count()).resolves.toBe(0);
    const focused = await page
      .locator("glassbox-toolbar")
      .evaluate((host) => host.shadowRoot?.activeElement?.className ?? "");
    expect(focused).toContain("gbt-handle");
  });

  it("keeps the chosen theme, dock position and size across a reload", async () => {
    const { page } = await open("/", "light");
    const root = page.locator("glassbox-toolbar .gbt-root");
    await expect(root.getAttribute("class")).resolves.toContain("gb-theme-light");
    await handle(page).click();
    await page.locator('glassbox-toolbar [data-action="theme"]').click();
    await page.locator("glassbox-toolbar .gbt-select select").selectOption("left");
    await expect(root.getAttribute("data-position")).resolves.toBe("left");
    // Resize with the keyboard: the separator grows the pane by a step per arrow key.
    const before = (await pane(page).boundingBox())!.width;
    await page.locator("glassbox-toolbar .gbt-resizer").focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    const after = (await pane(page).boundingBox())!.width;
    expect(after).toBeGreaterThan(before + 40);

    await page.reload();
    await handle(page).waitFor();
    await expect(root.getAttribute("class")).resolves.toContain("gb-theme-dark");
    await expect(root.getAttribute("data-position")).resolves.toBe("left");
    const box = (await handle(page).boundingBox())!;
    expect(box.x).toBe(0);
    await handle(page).click();
    expect(Math.round((await pane(page).boundingBox())!.width)).toBe(Math.round(after));
    const bg = await pane(page).evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(bg).toBe("rgb(22, 25, 30)");
  });

  it("follows the OS colour scheme until the user picks one, in both themes", async () => {
    const { page } = await open("/", "dark");
    await expect(page.locator("glassbox-toolbar .gbt-root").getAttribute("class")).resolves.toContain(
      "gb-theme-dark",
    );
    await page.screenshot({ path: `${SHOTS}/toolbar-collapsed-dark.png` });
    await handle(page).click();
    await page.screenshot({ path: `${SHOTS}/toolbar-expanded-dark.png` });
    await openPanel(page, "request");
    await page.screenshot({ path: `${SHOTS}/toolbar-panel-dark.png` });
  });

  it("survives a page whose CSS unsets and hides everything", async () => {
    const { page, errors } = await open("/aggressive");
    expect(await page.locator("div").first().isVisible()).toBe(false);
    const box = (await handle(page).boundingBox())!;
    expect(box.width).toBeGreaterThan(40);
    expect(box.height).toBeGreaterThan(15);
    await expect(handle(page).evaluate((el) => getComputedStyle(el).position)).resolves.toBe("fixed");
    await handle(page).click();
    const request = await openPanel(page, "request");
    await expect(request.isVisible()).resolves.toBe(true);
    await expect(request.textContent()).resolves.toContain("/aggressive");
    // The toolbar's styles stay inside its shadow root: nothing is added to the page's styles.
    const pageStyles = await page.evaluate(() => ({
      adopted: document.adoptedStyleSheets.length,
      sheets: document.styleSheets.length,
      toolbarClassesOutside: document.querySelectorAll("[class^='gb']").length,
    }));
    expect(pageStyles).toEqual({ adopted: 0, sheets: 1, toolbarClassesOutside: 0 });
    expect(errors).toEqual([]);
  });

  it("works under a strict CSP with no violation caused by glassbox", async () => {
    context = await browser.newContext({ colorScheme: "light" });
    const page = await context.newPage();
    const consoleCsp: string[] = [];
    page.on("console", (m) => {
      if (/content security policy|refused to/i.test(m.text())) consoleCsp.push(m.text());
    });
    await page.addInitScript(() => {
      const w = window as unknown as { __violations: string[] };
      w.__violations = [];
      document.addEventListener("securitypolicyviolation", (e) =>
        w.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`),
      );
    });
    const violations = () =>
      page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
    const response = await page.goto(`${app.url}/csp`);
    expect(response?.headers()["content-security-policy"]).toContain("style-src 'self'");
    await handle(page).waitFor();
    await expect.poll(() => handle(page).textContent()).toMatch(/ms/);
    // Styled: the constructed stylesheet applied under style-src 'self'.
    await expect(handle(page).evaluate((el) => getComputedStyle(el).position)).resolves.toBe("fixed");
    const logs = await openPanel(page, "logging");
    await expect(logs.textContent()).resolves.toContain("strict page");
    await openPanel(page, "settings");
    await page.locator('glassbox-toolbar [data-action="theme"]').click();
    await page.locator("glassbox-toolbar .gbt-resizer").focus();
    await page.keyboard.press("ArrowLeft");
    expect(await violations()).toEqual([]);
    expect(consoleCsp).toEqual([]);

    // Control: the listener does see a violation when one happens.
    await page.evaluate(() => {
      const style = document.createElement("style");
      style.textContent = "p { color: red }";
      document.head.append(style);
    });
    await expect.poll(async () => (await violations()).length).toBe(1);
  });

  it("loads under a nonce-based CSP by reusing the page's nonce", async () => {
    const { page } = await open("/csp-nonce");
    await expect.poll(() => handle(page).textContent()).toMatch(/200/);
  });

  it("lists the page's fetch and XHR calls, and leaves their results unchanged", async () => {
    const { page, errors } = await open("/spa");
    await expect.poll(() => page.locator("#result").textContent()).not.toBe("");
    const result = JSON.parse((await page.locator("#result").textContent())!);
    expect(result).toEqual({
      items: 3,
      created: 201,
      stream: "one,two",
      failed: "TypeError",
      xhr: "200 from xhr",
    });

    await handle(page).click();
    const list = page.locator("glassbox-toolbar .gbt-requests");
    await expect.poll(() => list.locator("li").count()).toBe(5);
    // spa.js makes its first call before the async toolbar script runs, so that call is known from
    // Resource Timing alone and its method arrives with its record: wait for it.
    await expect.poll(() => list.textContent()).toMatch(/fetch\s*GET\s*\/api\/items\?page=1/);
    const text = await list.textContent();
    expect(text).toContain("page");
    expect(text).toMatch(/fetch\s*POST\s*\/api\/items201/);
    expect(text).toMatch(/fetch\s*GET\s*\/api\/stream/);
    expect(text).toMatch(/xhr\s*GET\s*\/api\/xhr200/);
    await expect(handle(page).textContent()).resolves.toContain("+4 calls");

    // A call opens like the page's own request.
    await list.locator("button", { hasText: "POST" }).click();
    const request = await openPanel(page, "request");
    const requestText = await request.textContent();
    expect(requestText).toContain("POST");
    expect(requestText).toContain('"name": "kettle"');
    expect(errors).toEqual([]);
  });

  it("lists a call made before the toolbar loaded and one made after, once each, but not its own", async () => {
    const { page, errors } = await open("/spa-early");
    await expect.poll(() => page.locator("#result").textContent()).not.toBe("");
    // The first call went through the browser's own fetch, the last through the toolbar's.
    expect(JSON.parse((await page.locator("#result").textContent())!)).toEqual({
      nativeAtStart: true,
      early: 200,
      wrappedLater: true,
      own: 200,
      late: 200,
    });

    await handle(page).click();
    const list = page.locator("glassbox-toolbar .gbt-requests");
    await expect.poll(() => list.locator("li").count()).toBe(3);
    // The early call is known from Resource Timing alone (its method comes from its record); the
    // late one from the wrapped fetch, and Resource Timing's copy of it is dropped as a duplicate.
    await expect.poll(() => list.textContent()).toMatch(/fetch\s*GET\s*\/api\/items\?page=early200/);
    const text = await list.textContent();
    expect(text).toMatch(/fetch\s*GET\s*\/api\/items\?page=late200/);
    expect(text).not.toContain("__glassbox");
    await expect(handle(page).textContent()).resolves.toContain("+2 calls");

    // The early call opens its own record.
    await list.locator("button", { hasText: "page=early" }).click();
    const request = await openPanel(page, "request");
    expect(await request.textContent()).toContain("/api/items?page=early");
    expect(errors).toEqual([]);
  });

  it("shows hostile path, query, headers, body, logs and SQL as text", async () => {
    context = await browser.newContext({ extraHTTPHeaders: { "x-evil": PAYLOADS[0]! } });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const path = `/xss/${encodeURIComponent(PAYLOADS[0]!)}?q=${encodeURIComponent(PAYLOADS[1]!)}&next=${encodeURIComponent(PAYLOADS[2]!)}`;
    await page.goto(`${app.url}${path}`);
    await expect.poll(() => page.locator("#result").textContent()).toBe("sent");

    const shown: string[] = [];
    for (const id of ["request", "headers", "logging", "response", "probe"]) {
      shown.push((await (await openPanel(page, id)).textContent()) ?? "");
    }
    // The SQL probe was tokenized into spans, and still reads as the original text.
    const sql = page.locator("glassbox-toolbar .gb-lang-sql");
    await expect(sql.locator(".gb-tok-keyword").first().textContent()).resolves.toBe("SELECT");
    await expect(sql.textContent()).resolves.toBe(
      `SELECT * FROM users WHERE name = '${PAYLOADS[0]}' OR bio = '${PAYLOADS[1]}' -- ${PAYLOADS[2]}`,
    );
    await page.locator("glassbox-toolbar .gbt-requests button", { hasText: "POST" }).click();
    for (const id of ["request", "headers", "logging"]) {
      shown.push((await (await openPanel(page, id)).textContent()) ?? "");
    }
    const all = shown.join("\n");
    for (const payload of PAYLOADS) expect(all).toContain(payload);
    const injected = await page.locator("glassbox-toolbar").evaluate((host) => {
      const root = host.shadowRoot!;
      return {
        shadow: root.querySelectorAll("img, script, iframe, object, [onerror], a[href^='javascript']").length,
        page: document.querySelectorAll("img, [onerror]").length,
        scripts: document.querySelectorAll("script").length,
      };
    });
    expect(injected).toEqual({ shadow: 0, page: 0, scripts: 2 });
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
  });
});
