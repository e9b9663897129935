import { createServer } from "node:http";
import { join } from "node:path";
import express from "express";
import { engine } from "express-handlebars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import type { TemplateEvent } from "../../src/instrument/template-event.js";
import { type TemplatesData, templatesPanel } from "../../src/panels/templates.js";
import { listen, type Running, recordFor, testOptions } from "../helpers/http.js";

const VIEWS = join(import.meta.dirname, "views");
const DATA = { title: "Welcome", user: { name: "Ada" }, apiToken: "tok-very-secret", bio: "b".repeat(1000) };

describe("templates panel with Express res.render", () => {
  let running: Running;
  let mw: ReturnType<typeof glassbox>;

  beforeAll(async () => {
    mw = glassbox(testOptions());
    const app = express();
    app.use(mw);
    app.engine("handlebars", engine({ defaultLayout: false, partialsDir: join(VIEWS, "hbs-partials") }));
    app.set("views", VIEWS);
    app.set("view engine", "ejs");
    app.use((_req, res, next) => {
      res.locals.requestId = "req-1";
      next();
    });
    app.get("/ejs", (_req, res) => res.render("page", DATA));
    app.get("/pug", (_req, res) => res.render("page.pug", DATA));
    app.get("/hbs", (_req, res) => res.render("page.handlebars", DATA));
    app.get("/broken", (_req, res) => res.render("broken"));
    running = await listen(createServer(app));
  });

  afterAll(async () => {
    await running?.close();
    await mw?.glassbox?.close();
  });

  async function templatesOf(path: string) {
    const res = await fetch(`${running.url}${path}`);
    const html = await res.text();
    const record = await recordFor(mw.glassbox!, res);
    return { res, html, record, data: record.panels.templates?.data as TemplatesData };
  }

  function expectContext(view: TemplateEvent) {
    expect(view.context?.keys).toEqual(
      expect.arrayContaining(["title", "user", "apiToken", "bio", "requestId"]),
    );
    expect(view.context?.keys).not.toContain("settings");
    expect(view.context?.values.title).toBe('"Welcome"');
    expect(view.context?.values.user).toBe('{"name":"Ada"}');
    expect(view.context?.values.apiToken).toBe("[redacted]");
    expect(view.context?.values.requestId).toBe('"req-1"');
    expect(view.context?.values.bio).toMatch(/…\(truncated\)$/);
    expect(view.context?.truncated).toBe(true);
  }

  it("records an EJS page with its includes nested under it", async () => {
    const { res, html, record, data } = await templatesOf("/ejs");
    expect(html).toContain("<h1>Welcome</h1><nav>home</nav>");
    const [view, header, nav, footer] = data.renders;
    expect(data.renders).toHaveLength(4);
    expect(view).toMatchObject({ kind: "view", source: "express", engine: "ejs", name: "page" });
    expect(view!.file).toBe("test/templates/views/page.ejs");
    expect(view!.callSite?.file).toContain("express.test.ts");
    expect(header).toMatchObject({ kind: "include", name: "partials/header.ejs", parentId: view!.id });
    expect(nav).toMatchObject({ kind: "include", name: "nav.ejs", parentId: header!.id });
    expect(footer).toMatchObject({ kind: "include", name: "partials/footer.ejs", parentId: view!.id });
    expect(view!.durationMs).toBeGreaterThan(0);
    expect(view!.durationMs).toBeGreaterThanOrEqual(header!.durationMs);
    expectContext(view!);
    expect(JSON.stringify(record)).not.toContain("tok-very-secret");
    expect(record.stats["templates.renders"]).toBe(4);
    expect(record.stats["templates.ms"]).toBe(data.totals.ms);
    expect(data.totals.ms).toBeCloseTo(view!.durationMs, 3);
    const timeline = record.timeline.filter((t) => t.panel === "templates");
    expect(timeline.map((t) => [t.label, t.depth])).toEqual([
      ["render page", 0],
      ["include partials/header.ejs", 1],
      ["include nav.ejs", 2],
      ["include partials/footer.ejs", 1],
    ]);
    // The browser's devtools show the same total as the panel: the page's render, counted once.
    expect(record.serverTiming.find((s) => s.name === "templates")?.durationMs).toBe(data.totals.ms);
    const timing = /(?:^|,\s*)templates;dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "");
    expect(Number(timing?.[1])).toBeCloseTo(data.totals.ms, 1);
    // What the toolbar shows: the tree of renders, and each view's context with the secret masked.
    const shown = JSON.stringify(templatesPanel.view!(data, record));
    expect(shown).toContain('"    nav.ejs"');
    expect(shown).toContain('["apiToken","[redacted]"]');
  });

  it("records a Pug page (Pug inlines includes when compiling, so there are none to see)", async () => {
    const { html, record, data } = await templatesOf("/pug");
    expect(html).toContain("<h1>Welcome</h1><p>Hello Ada</p>");
    expect(data.renders).toHaveLength(1);
    expect(data.renders[0]).toMatchObject({ kind: "view", engine: "pug", name: "page.pug" });
    expect(data.renders[0]!.durationMs).toBeGreaterThan(0);
    expectContext(data.renders[0]!);
    expect(record.stats["templates.renders"]).toBe(1);
  });

  it("records a Handlebars page with its partial nested under it", async () => {
    const { html, data } = await templatesOf("/hbs");
    expect(html).toContain("<h1>Hi Ada</h1>");
    expect(data.renders.map((r) => [r.kind, r.name, r.engine])).toEqual([
      ["view", "page.handlebars", "handlebars"],
      ["partial", "greeting", "handlebars"],
    ]);
    expect(data.renders[1]!.parentId).toBe(data.renders[0]!.id);
    expectContext(data.renders[0]!);
  });

  it("records a failing render with its error, and Express still answers with its own 500", async () => {
    const { res, record, data } = await templatesOf("/broken");
    expect(res.status).toBe(500);
    expect(data.renders).toHaveLength(1);
    expect(data.renders[0]!.error).toMatch(/missingVariable/);
    expect(record.stats["templates.errors"]).toBe(1);
  });
});
