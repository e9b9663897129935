import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** Why browser tests cannot run here, or undefined when they can. Under CI=true a missing browser is a failure. */
export function browserUnavailable(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `Debian's chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`;
  if (process.env.CI === "true") throw new Error(reason);
  console.warn(`skipping browser tests: ${reason}`);
  return reason;
}

/** Launches Debian's Chromium headless with the flags this machine needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * Opens `url` in a fresh browser context (empty localStorage) and records the page's dialogs
 * (dismissed) and uncaught errors, which tests assert are empty.
 */
export async function openRecordedPage(
  browser: Browser,
  url: string,
  options: BrowserContextOptions,
): Promise<{ context: BrowserContext; page: Page; dialogs: string[]; errors: string[] }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  return { context, page, dialogs, errors };
}

/**
 * Where browser tests save their screenshots: docs/screenshots (used by docs/ui.md) when
 * UPDATE_SCREENSHOTS=1, else test-results/screenshots, so an ordinary test run leaves the
 * committed pictures alone.
 */
export const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === "1" ? "docs/screenshots" : "test-results/screenshots";

/** Strings that would run script if a page rendered them as HTML or followed them as a link. */
export const PAYLOADS = [
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "javascript:alert(1)",
];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ui when a bundle is missing or older than a UI source: `npm test` builds first,
 * and a lone vitest run must not test a stale toolbar or dashboard.
 */
export function ensureUiBuilt(): void {
  const built = [
    "dist/ui/toolbar.js",
    "dist/ui/toolbar.css",
    "dist/ui/dashboard.js",
    "dist/ui/dashboard.css",
  ];
  const oldest = Math.min(...built.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
  const sources = Math.max(newestSource("src/ui"), statSync("scripts/build-ui.mjs").mtimeMs);
  if (sources > oldest) execFileSync(process.execPath, ["scripts/build-ui.mjs"], { stdio: "inherit" });
}
