import { join } from "node:path";
import fastifyView from "@fastify/view";
import ejs from "ejs";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/fastify.js";
import type { Glassbox } from "../../src/core/glassbox.js";
import { instrumentEjs } from "../../src/instrument/templates/ejs.js";
import { instrumentFastifyView } from "../../src/instrument/templates/fastify-view.js";
import type { TemplatesData } from "../../src/panels/templates.js";
import { recordFor, testOptions } from "../helpers/http.js";

const VIEWS = join(import.meta.dirname, "views");

describe("templates panel with @fastify/view (ejs)", () => {
  let app: FastifyInstance;
  let url: string;
  let gb: Glassbox;
  let undo: (() => void)[] = [];

  beforeAll(async () => {
    const plugin = glassbox(testOptions());
    gb = plugin.glassbox!;
    app = Fastify();
    await app.register(plugin);
    await app.register(fastifyView, { engine: { ejs }, root: VIEWS });
    // The ESM build of ejs the app imported is its own object: hand it over to see includes.
    undo = [instrumentFastifyView(app), instrumentEjs(ejs)];
    app.addHook("onRequest", async (_request, reply) => {
      (reply as unknown as { locals: Record<string, unknown> }).locals = { requestId: "req-7" };
    });
    const data = { title: "Welcome", user: { name: "Ada" }, sessionId: "sess-very-secret" };
    app.get("/page", (_request, reply) => reply.view("page.ejs", data));
    app.get("/async", async (_request, reply) => {
      const html = await reply.viewAsync("page.ejs", data);
      return reply.type("text/html").send(html);
    });
    app.get("/instance", async (_request, reply) => {
      const html = await app.view("page.ejs", data);
      return reply.type("text/html").send(html);
    });
    app.get("/broken", (_request, reply) => reply.view("broken.ejs", {}));
    url = await app.listen({ port: 0, host: "127.0.0.1" });
  });

  afterAll(async () => {
    for (const u of undo) u();
    await app?.close();
    await gb?.close();
  });

  async function templatesOf(path: string) {
    const res = await fetch(`${url}${path}`);
    const html = await res.text();
    const record = await recordFor(gb, res);
    return { res, html, record, data: record.panels.templates?.data as TemplatesData };
  }

  for (const [path, how] of [
    ["/page", "reply.view"],
    ["/async", "reply.viewAsync"],
    ["/instance", "fastify.view"],
  ] as const) {
    it(`records ${how} with name, time, masked context and EJS includes`, async () => {
      const { res, html, record, data } = await templatesOf(path);
      expect(res.status).toBe(200);
      expect(html).toContain("<h1>Welcome</h1><nav>home</nav>");
      const [view, ...includes] = data.renders;
      expect(view).toMatchObject({ kind: "view", source: "fastify-view", engine: "ejs", name: "page.ejs" });
      expect(view!.durationMs).toBeGreaterThan(0);
      expect(view!.callSite?.file).toContain("fastify.test.ts");
      expect(view!.context?.keys).toEqual(expect.arrayContaining(["title", "user", "sessionId"]));
      expect(view!.context?.values.sessionId).toBe("[redacted]");
      if (how !== "fastify.view") expect(view!.context?.values.requestId).toBe('"req-7"');
      expect(includes.map((r) => [r.kind, r.name])).toEqual([
        ["include", "header.ejs"],
        ["include", "nav.ejs"],
        ["include", "footer.ejs"],
      ]);
      expect(includes[0]!.parentId).toBe(view!.id);
      expect(includes[1]!.parentId).toBe(includes[0]!.id);
      expect(JSON.stringify(record)).not.toContain("sess-very-secret");
      expect(record.stats["templates.renders"]).toBe(4);
      expect(record.stats["templates.ms"]).toBeGreaterThan(0);
    });
  }

  it("marks a failing reply.view, and Fastify still answers with its own 500", async () => {
    const { res, record, data } = await templatesOf("/broken");
    expect(res.status).toBe(500);
    expect(data.renders[0]).toMatchObject({ kind: "view", name: "broken.ejs" });
    expect(data.renders[0]!.error).toMatch(/500/);
    expect(record.stats["templates.errors"]).toBeGreaterThanOrEqual(1);
  });
});
