import { createServer } from "node:http";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import { type BaseEvent, definePanel, getContext, type Panel, view } from "../../src/index.js";
import { listen, type Running, recordFor, testOptions } from "../helpers/http.js";

declare module "../../src/core/context.js" {
  interface GlassboxEvents {
    "test-user": BaseEvent & { name: string };
  }
}

const userPanel = definePanel<{ startedWith: string }, { name: string }>({
  id: "user",
  title: "User",
  start: () => ({ startedWith: "state from start" }),
  finish(ctx, state) {
    const name = ctx.events("test-user").at(-1)?.name ?? "anonymous";
    expect(state.startedWith).toBe("state from start");
    return { data: { name }, summary: name, stats: { "user.signedIn": name === "anonymous" ? 0 : 1 } };
  },
  view: (data) => [view.kv({ User: data.name })],
});

const brokenPanel: Panel = {
  id: "broken",
  title: "Broken",
  finish() {
    throw new Error("panel bug");
  },
};

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe("custom panels", () => {
  it("records a user panel's data, summary and stats, renders its view, and isolates a throwing panel", async () => {
    const warnings: string[] = [];
    const mw = glassbox({ ...testOptions(warnings), panels: [userPanel, brokenPanel] });
    const app = express();
    app.use(mw);
    app.get("/me", (_req, res) => {
      const ctx = getContext();
      ctx.emit("test-user", { at: ctx.now(), name: "ada" });
      res.json({ ok: true });
    });
    app.get("/anon", (_req, res) => {
      res.json({ ok: true });
    });
    running = await listen(createServer(app));
    const me = await fetch(`${running.url}/me`);
    const anon = await fetch(`${running.url}/anon`);
    expect(me.status).toBe(200);
    expect(anon.status).toBe(200);

    const record = await recordFor(mw.glassbox!, me);
    expect(record.panels.user).toMatchObject({ title: "User", summary: "ada", data: { name: "ada" } });
    expect(record.stats["user.signedIn"]).toBe(1);
    expect(record.panels.broken?.error).toBe("panel bug");
    expect(record.panels.timer?.data).toBeDefined();
    await recordFor(mw.glassbox!, anon);

    // The view is computed from the stored data when the record is read.
    const views = (await (
      await fetch(`${running.url}/__glassbox/api/requests/${record.id}/views`)
    ).json()) as Record<string, unknown>;
    expect(views.user).toEqual([{ type: "kv", entries: [["User", "ada"]] }]);

    // A throwing panel is reported once, however many requests it breaks.
    expect(warnings.filter((w) => w.includes("GBXW002") && w.includes("broken"))).toHaveLength(1);

    // Its stats are filterable through the query syntax.
    const page = (await (
      await fetch(`${running.url}/__glassbox/api/requests?q=user.signedIn:>0`)
    ).json()) as {
      requests: { path: string }[];
    };
    expect(page.requests.map((r) => r.path)).toEqual(["/me"]);
    await mw.glassbox!.close();
  });

  it("refuses two panels with one id", () => {
    expect(() => glassbox({ ...testOptions(), panels: [{ ...userPanel, id: "timer" }] })).toThrow(
      /GBX_ERR_PANEL_ID/,
    );
  });
});
