import { createServer } from "node:http";
import express from "express";
import { type GlassboxExpressMiddleware, glassbox } from "../../src/adapters/express.js";
import { definePanel } from "../../src/core/panel.js";
import { type ViewNode, view } from "../../src/core/view.js";
import { PAYLOADS } from "../helpers/browser.js";
import { listen, type Running, testOptions } from "../helpers/http.js";

/** A panel of the test's own: the SQL the app logged ("SQL: ..."), shown through a `code` node. */
const probePanel = definePanel<undefined, { sql: string }>({
  id: "probe",
  title: "Probe SQL",
  finish(ctx) {
    const logged = ctx.events("log").find((e) => e.message.startsWith("SQL: "));
    return logged ? { data: { sql: logged.message.slice(5) }, summary: "1 statement" } : undefined;
  },
  view: (data) => [view.code("sql", data.sql)],
});

/** Every view node type at once, for the page /gallery: what a panel author can use. */
const galleryPanel = definePanel<undefined, { rows: number }>({
  id: "gallery",
  title: "Components",
  finish: (ctx) =>
    ctx.request?.path === "/gallery" ? { data: { rows: 450 }, summary: "every view node" } : undefined,
  view: (data) => [
    view.section("Key/value", [
      view.kv({
        Status: view.badge("200", "ok"),
        Cache: view.badge("miss", "warning"),
        Bytes: 5120,
        Cached: false,
      }),
    ]),
    view.section("Table", [
      view.table(
        ["#", "Query", "ms"],
        Array.from({ length: data.rows }, (_, i) => [
          i + 1,
          `select * from items where id = ${i + 1}`,
          i % 7,
        ]),
        `${data.rows} rows`,
      ),
    ]),
    view.section("SQL", [
      view.code(
        "sql",
        "SELECT o.id, sum(l.price) AS total\nFROM orders o JOIN lines l ON l.order_id = o.id\nWHERE o.user_id = $1 AND o.status = 'open' -- hot path\nGROUP BY o.id",
      ),
    ]),
    view.section("JSON", [view.code("json", '{"user":{"id":7,"roles":["admin"]},"ok":true}', true)]),
    view.section("Stack", [
      {
        type: "stack",
        frames: [
          { fn: "loadOrders", file: "/app/src/orders.ts", line: 42, column: 9 },
          { fn: "handler", file: "/app/src/routes.ts", line: 12, column: 3 },
          { file: "/app/src/server.ts", line: 88 },
        ],
      },
    ]),
    view.section("Tree", [
      view.json({
        user: { id: 7, profile: { deep: { secretPlan: "hidden until opened" } } },
        tags: ["a", "b"],
      }),
    ]),
    view.text("A muted note.", "muted"),
    view.text("Something to look at.", "warning"),
    {
      type: "list",
      items: [view.badge("info", "info"), view.badge("error", "error"), view.text("plain text")],
    },
    { type: "chart", points: [1, 2, 3] } as unknown as ViewNode,
    { type: "kv", entries: "not an array" } as unknown as ViewNode,
  ],
});

const page = (title: string, body: string, head = "") => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>${head}</head>
<body>${body}</body></html>`;

const SHOP = `<header class="top"><strong>Acme Shop</strong> <nav>Home · Catalog · Cart</nav></header>
<main><h1>Catalog</h1><p>Twelve products, fresh from the database.</p>
<ul><li>Blue mug · $12</li><li>Red kettle · $48</li><li>Green teapot · $35</li></ul></main>`;

const SHOP_CSS = `body{font:16px/1.5 Georgia,serif;margin:0;background:#fbfaf7;color:#222}
.top{display:flex;gap:24px;padding:14px 28px;background:#243b53;color:#fff}
main{padding:18px 28px;max-width:760px}h1{margin:0 0 8px}`;

// The single-page app: fetches, one streamed response, one XHR, one failing fetch; reports what
// the page itself saw, so a test can tell glassbox changed nothing.
const SPA_JS = `
(async () => {
  const out = {};
  const items = await fetch("/api/items?page=1").then((r) => r.json());
  out.items = items.length;
  const created = await fetch(new Request("/api/items", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "kettle" }) }));
  out.created = created.status;
  const stream = await fetch("/api/stream");
  const reader = stream.body.getReader();
  let chunks = 0, text = "";
  for (;;) { const { done, value } = await reader.read(); if (done) break; chunks++; text += new TextDecoder().decode(value); }
  out.stream = text;
  out.failed = await fetch("http://127.0.0.1:1/nothing").then(() => "resolved", (e) => e.name);
  out.xhr = await new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("GET", "/api/xhr");
    xhr.onload = () => resolve(xhr.status + " " + xhr.responseText);
    xhr.send();
  });
  document.getElementById("result").textContent = JSON.stringify(out);
})();`;

// Loaded in <head>, so its first call runs before the toolbar's script exists (only Resource
// Timing can see it); the rest run once the toolbar is defined and its tracker installed.
const EARLY_JS = `
const nativeFetch = window.fetch;
const early = fetch("/api/items?page=early").then((r) => r.status);
(async () => {
  const out = { nativeAtStart: String(nativeFetch).includes("[native code]"), early: await early };
  await customElements.whenDefined("glassbox-toolbar");
  out.wrappedLater = window.fetch !== nativeFetch;
  out.own = (await fetch("/__glassbox/api/health")).status;
  out.late = (await fetch("/api/items?page=late")).status;
  document.getElementById("result").textContent = JSON.stringify(out);
})();`;

const XSS_JS = `
fetch("/api/echo?q=" + encodeURIComponent(${JSON.stringify(PAYLOADS[1])}), {
  method: "POST",
  headers: { "content-type": "application/json", "x-evil": ${JSON.stringify(PAYLOADS[0])} },
  body: JSON.stringify({ comment: ${JSON.stringify(PAYLOADS.join(" "))} }),
}).then(() => { document.getElementById("result").textContent = "sent"; });`;

export interface UiApp {
  url: string;
  mw: GlassboxExpressMiddleware;
  close(): Promise<void>;
}

/**
 * Starts the example app on 127.0.0.1 with a port of its own.
 *
 * @example
 * const app = await startUiApp();
 * await page.goto(`${app.url}/`);
 */
export async function startUiApp(): Promise<UiApp> {
  const mw = glassbox({ ...testOptions(), panels: [probePanel, galleryPanel] });
  const app = express();
  app.use(mw);
  app.use(express.json());
  app.get("/shop.css", (_req, res) => res.type("text/css").send(SHOP_CSS));
  app.get("/spa.js", (_req, res) => res.type("text/javascript").send(SPA_JS));
  app.get("/xss.js", (_req, res) => res.type("text/javascript").send(XSS_JS));
  app.get("/early.js", (_req, res) => res.type("text/javascript").send(EARLY_JS));
  app.get("/", (_req, res) => {
    console.log("rendering the catalog for visitor 42");
    console.warn("catalog cache is cold");
    res.send(page("Acme Shop", SHOP, `<link rel="stylesheet" href="/shop.css">`));
  });
  app.get("/csp", (_req, res) => {
    res.setHeader("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'");
    console.log("strict page");
    res.send(page("Strict CSP", SHOP, `<link rel="stylesheet" href="/shop.css">`));
  });
  app.get("/csp-nonce", (_req, res) => {
    res.setHeader(
      "Content-Security-Policy",
      "default-src 'self'; script-src 'nonce-r4nd0m'; style-src 'self'; connect-src 'self'",
    );
    res.send(page("Nonce CSP", "<p>nonce page</p>"));
  });
  app.get("/aggressive", (_req, res) => {
    const css =
      "* { all: unset !important } div { display: none !important } button { display: none !important } body > * { display: none !important; position: static !important; z-index: -1 !important }";
    res.send(page("Hostile CSS", "<div><p>hidden</p></div><p>visible text</p>", `<style>${css}</style>`));
  });
  app.get("/spa", (_req, res) =>
    res.send(page("SPA", `<p>single page app</p><pre id="result"></pre><script src="/spa.js"></script>`)),
  );
  app.get("/spa-early", (_req, res) =>
    res.send(page("Early calls", `<pre id="result"></pre>`, `<script src="/early.js"></script>`)),
  );
  app.get("/gallery", (_req, res) => res.send(page("Components", "<h1>Every view node</h1>")));
  app.get("/api/items", (_req, res) => res.json([{ id: 1 }, { id: 2 }, { id: 3 }]));
  app.post("/api/items", (req, res) => res.status(201).json({ created: req.body }));
  app.get("/api/stream", (_req, res) => {
    res.setHeader("content-type", "text/plain");
    res.write("one,");
    setTimeout(() => res.end("two"), 30);
  });
  app.get("/api/xhr", (_req, res) => res.type("text/plain").send("from xhr"));
  app.post("/api/echo", (req, res) => {
    console.log(`echo ${JSON.stringify(req.body)}`);
    res.json({ ok: true });
  });
  app.use("/xss", (req, res) => {
    for (const p of PAYLOADS) console.log(`user said ${p}`);
    const sql = `SELECT * FROM users WHERE name = '${PAYLOADS[0]}' OR bio = '${PAYLOADS[1]}' -- ${PAYLOADS[2]}`;
    console.log(`SQL: ${sql}`);
    res.setHeader("X-Echo", PAYLOADS[1]!);
    res.send(
      page(
        "XSS probe",
        `<p id="path">${escapeHtml(req.originalUrl)}</p><pre id="result"></pre><script src="/xss.js"></script>`,
      ),
    );
  });
  const running: Running = await listen(createServer(app));
  return {
    url: running.url,
    mw,
    close: async () => {
      await running.close();
      await mw.glassbox?.close();
    },
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
