// The dashboard's overhead notice: when glassbox's overhead budget made it skip requests, the
// request list says how many (the count /api/health gives) and how to record them all; with the
// default budget and ordinary traffic it says nothing. A real Express app on a real socket,
// Debian's Chromium reading the page.

import { createServer } from "node:http";
import express from "express";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GlassboxExpressMiddleware, glassbox } from "../../src/adapters/express.js";
import type { GlassboxOptions } from "../../src/core/config.js";
import { browserUnavailable, ensureUiBuilt, launchBrowser, SCREENSHOTS } from "../helpers/browser.js";
import { listen, testOptions } from "../helpers/http.js";

const skip = browserUnavailable();
const REQUESTS = 30;

interface Recording {
  budget: number | false;
  recorded: number;
  skipped: number;
  spentMs: number;
}

interface Health {
  ok: boolean;
  recording?: Recording;
}

interface App {
  url: string;
  health(): Promise<Health>;
  close(): Promise<void>;
}

async function startApp(options: GlassboxOptions): Promise<App> {
  const mw: GlassboxExpressMiddleware = glassbox({ ...testOptions(), ...options });
  const app = express();
  app.use(mw);
  app.get("/users/:id", (req, res) => res.json({ id: req.params.id }));
  const running = await listen(createServer(app));
  return {
    url: running.url,
    health: async () => (await (await fetch(`${running.url}/__glassbox/api/health`)).json()) as Health,
    async close() {
      await running.close();
      await mw.glassbox!.close();
    },
  };
}

/** Sends `n` requests one after another, then waits until glassbox has counted every one. */
async function traffic(app: App, n: number): Promise<Recording> {
  for (let i = 0; i < n; i++) expect((await fetch(`${app.url}/users/${i}`)).status).toBe(200);
  await expect
    .poll(async () => {
      const { recording } = await app.health();
      return recording ? recording.recorded + recording.skipped : 0;
    })
    .toBeGreaterThanOrEqual(n);
  const { recording } = await app.health();
  expect(recording).toBeDefined();
  return recording!;
}

/** Runs in the page: resolves after two animation frames, once a pending render has happened. */
const twoFrames = () =>
  new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));

describe.skipIf(skip)("dashboard overhead notice", () => {
  let browser: Browser;
  let page: Page;
  let app: App | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureUiBuilt();
    browser = await launchBrowser();
  });

  afterEach(async () => {
    await page?.close();
    await app?.close();
    app = undefined;
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  const newPage = async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    return page;
  };
  const rows = () => page.locator("table.gb-requests tbody tr").count();
  const notice = () => page.getByTestId("overhead-notice");

  it("says how many requests the overhead budget skipped, as /api/health counts them", async () => {
    app = await startApp({ overhead: { budget: 0.0001, burstMs: 1, quietRate: 0 } });
    const recording = await traffic(app, REQUESTS);
    expect(recording.budget).toBe(0.0001);
    expect(recording.recorded).toBeGreaterThanOrEqual(1);
    expect(recording.skipped).toBeGreaterThan(0);

    await (await newPage()).goto(`${app.url}/__glassbox/`);
    await expect.poll(rows).toBeGreaterThan(0);
    await expect.poll(() => notice().count()).toBe(1);
    // The dashboard's own calls are not the app's requests: the count stays what health said.
    const { skipped } = (await app.health()).recording!;
    expect(skipped, "glassbox's own routes must not count as skipped requests").toBe(recording.skipped);
    const words = skipped === 1 ? "request was" : "requests were";
    expect(await notice().textContent()).toBe(
      `${skipped.toLocaleString("en-US")} ${words} not recorded to keep glassbox under 0.01 % of the ` +
        "app's time (overhead budget). Set overhead: false to record every request.",
    );
    // Above the list.
    const noticeBox = (await notice().boundingBox())!;
    const tableBox = (await page.locator("table.gb-requests").boundingBox())!;
    expect(noticeBox.y + noticeBox.height).toBeLessThanOrEqual(tableBox.y);
    await page.screenshot({ path: `${SCREENSHOTS}/dashboard-overhead-notice.png` });
  });

  it("shows no notice when nothing was skipped", async () => {
    app = await startApp({});
    const recording = await traffic(app, 5);
    expect(recording.skipped).toBe(0);

    await newPage();
    const healthRead = page.waitForResponse((r) => new URL(r.url()).pathname === "/__glassbox/api/health");
    await page.goto(`${app.url}/__glassbox/`);
    const health = await healthRead;
    expect(health.status()).toBe(200);
    await health.finished();
    await expect.poll(rows).toBe(5);
    // Give the answer two frames to render before asserting what is absent.
    await page.evaluate(twoFrames);
    expect(await notice().count()).toBe(0);
  });
});
