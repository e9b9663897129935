import { createServer } from "node:http";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import { event } from "../../src/index.js";
import { eventsPanel } from "../../src/panels/events/index.js";
import { listen, type Running, recordFor, testOptions } from "../helpers/http.js";
import { eventsOf } from "./helpers.js";

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe("events panel view and limits", () => {
  it("shows the tree as a table indented by depth, from stored data only", async () => {
    const mw = glassbox(testOptions());
    const app = express();
    app.use(mw);
    const router = express.Router();
    router.get("/hello", function hello(_req, res) {
      res.json({ hi: true });
    });
    app.use("/v1", router);
    running = await listen(createServer(app));
    const res = await fetch(`${running.url}/v1/hello`);
    const record = await recordFor(mw.glassbox!, res);
    const nodes = eventsPanel.view!(eventsOf(record), record);
    const table = nodes.find((n) => n.type === "table");
    expect(table?.type).toBe("table");
    if (table?.type !== "table") return;
    expect(table.columns).toEqual(["Start", "Step", "Kind", "Time", "Own time", "Notes"]);
    const labels = table.rows.map((r) => String(r[1]));
    expect(labels[0]).toBe("router /v1");
    expect(labels[1]).toBe("\u00a0\u00a0└ GET /hello");
    expect(labels[2]).toBe("\u00a0\u00a0\u00a0\u00a0└ hello");
    expect(JSON.stringify(table.rows[2]![5])).toContain("ended response");
    expect(record.panels.events?.summary).toMatch(/^3 steps, [\d.]+ ms in middleware$/);
    await mw.glassbox!.close();
  });

  it("survives hostile event data and records nothing when the panel is disabled", async () => {
    const mw = glassbox(testOptions());
    const app = express();
    app.use(mw);
    app.get("/odd", (_req, res) => {
      const circular: Record<string, unknown> = { big: 10n, fn() {} };
      circular.self = circular;
      const getter = Object.defineProperty({}, "boom", {
        enumerable: true,
        get() {
          throw new Error("getter");
        },
      });
      event("circular", circular);
      event("getter", getter);
      event(undefined as unknown as string);
      res.json({ ok: true });
    });
    running = await listen(createServer(app));
    const res = await fetch(`${running.url}/odd`);
    expect(res.status).toBe(200);
    const names = eventsOf(await recordFor(mw.glassbox!, res)).nodes.map((n) => n.name);
    expect(names).toContain("circular");
    expect(names).toContain("undefined");
    const circular = eventsOf(await recordFor(mw.glassbox!, res)).nodes.find((n) => n.name === "circular");
    expect(circular?.data).toMatchObject({ big: "10", self: "[circular]" });
    await mw.glassbox!.close();
    await running.close();

    const off = glassbox({ ...testOptions(), disablePanels: ["events"] });
    const app2 = express();
    app2.use(off);
    app2.get("/", (_req, res) => {
      event("ignored");
      res.json({ ok: true });
    });
    running = await listen(createServer(app2));
    const res2 = await fetch(`${running.url}/`);
    const record = await recordFor(off.glassbox!, res2);
    expect(record.panels.events).toBeUndefined();
    expect(record.timeline.some((t) => t.panel === "events")).toBe(false);
    await off.glassbox!.close();
  });
});
