import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import { definePanel } from "../../src/core/panel.js";
import type { ViewNode } from "../../src/core/view.js";
import { tokenizeJson, tokenizeSql } from "../../src/ui/components/highlight.js";
import { ensureUiBuilt } from "../helpers/browser.js";
import { listen, type Running, recordFor, testOptions } from "../helpers/http.js";

let running: Running | undefined;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await running?.close();
  await close?.();
  running = undefined;
  close = undefined;
});

const noView = definePanel({ id: "plain", title: "Plain", finish: () => ({ data: { answer: 42 } }) });
const badView = definePanel({
  id: "broken",
  title: "Broken",
  finish: () => ({ data: { rows: 3 } }),
  view: () => {
    throw new Error("view exploded");
  },
});
const failing = definePanel({
  id: "failing",
  title: "Failing",
  finish: () => {
    throw new Error("finish exploded");
  },
});

async function start() {
  const mw = glassbox({ ...testOptions(), panels: [noView, badView, failing] });
  const app = express();
  app.use(mw);
  app.post("/orders/:id", (req, res) => {
    console.error("payment declined for order", req.params.id);
    res.status(402).json({ error: "declined" });
  });
  running = await listen(createServer(app));
  close = () => mw.glassbox!.close();
  return mw.glassbox!;
}

const find = (nodes: ViewNode[], type: ViewNode["type"]): ViewNode[] => {
  const out: ViewNode[] = [];
  const walk = (n: ViewNode) => {
    if (n.type === type) out.push(n);
    if (n.type === "section") n.children.forEach(walk);
    if (n.type === "list") n.items.forEach(walk);
    if (n.type === "kv") for (const [, v] of n.entries) if (v && typeof v === "object") walk(v);
  };
  nodes.forEach(walk);
  return out;
};

describe("GET {prefix}/api/requests/:id/views", () => {
  it("returns every panel's view of a stored request", async () => {
    const gb = await start();
    const res = await fetch(`${running!.url}/orders/7?coupon=SPRING&token=abc`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer secret" },
      body: JSON.stringify({ items: [1, 2] }),
    });
    const record = await recordFor(gb, res);
    const views = (await (
      await fetch(`${running!.url}/__glassbox/api/requests/${record.id}/views`)
    ).json()) as Record<string, ViewNode[]>;
    expect(Object.keys(views)).toEqual(Object.keys(record.panels));

    const request = JSON.stringify(views.request);
    expect(request).toContain('["Method","POST"]');
    expect(request).toContain('["Route","/orders/:id"]');
    expect(request).toContain('["coupon","SPRING"]');
    expect(request).not.toContain("abc"); // the token query value stays masked
    const body = find(views.request!, "code")[0];
    expect(body).toMatchObject({ type: "code", language: "json", text: '{"items":[1,2]}' });

    expect(find(views.response!, "badge")[0]).toMatchObject({ text: "402", tone: "warning" });
    const headers = JSON.stringify(views.headers);
    expect(headers).toContain("authorization");
    expect(headers).not.toContain("Bearer secret");

    const logRows = find(views.logging!, "table")[0] as Extract<ViewNode, { type: "table" }>;
    expect(logRows.rows[0]![2]).toBe("payment declined for order 7");
    expect(logRows.rows[0]![1]).toMatchObject({ type: "badge", text: "error", tone: "error" });
    expect(logRows.rows[0]![4]).toMatchObject({ type: "stack" });

    expect(JSON.stringify(views.timer)).toContain("Wall time");
    expect(JSON.stringify(views.routes)).toContain("/orders/:id");
    expect(find(views.settings!, "json").length).toBeGreaterThan(0);
    expect(JSON.stringify(views.versions)).toContain(process.versions.node);
  });

  it("falls back to a JSON tree for a panel with no view or a failing view, and shows a failed panel's error", async () => {
    const gb = await start();
    const res = await fetch(`${running!.url}/orders/1`, { method: "POST" });
    const record = await recordFor(gb, res);
    const views = (await (
      await fetch(`${running!.url}/__glassbox/api/requests/${record.id}/views`)
    ).json()) as Record<string, ViewNode[]>;
    expect(views.plain).toEqual([{ type: "json", value: { answer: 42 } }]);
    expect(views.broken![0]).toMatchObject({ type: "text", tone: "warning" });
    expect((views.broken![0] as { text: string }).text).toContain("view exploded");
    expect(views.broken![1]).toEqual({ type: "json", value: { rows: 3 } });
    expect(views.failing![0]).toMatchObject({ type: "text", tone: "error" });
    expect((views.failing![0] as { text: string }).text).toContain("finish exploded");
  });

  it("answers 404 for an unknown record and for a malformed id", async () => {
    await start();
    const missing = await fetch(`${running!.url}/__glassbox/api/requests/nope/views`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toContain("nope");
    const malformed = await fetch(`${running!.url}/__glassbox/api/requests/%3Cscript%3E/views`);
    expect(malformed.status).toBe(404);
  });
});

describe("code highlighting", () => {
  it("splits SQL into keywords, strings, parameters and comments without losing a character", () => {
    const sql = "SELECT id, 'it''s' FROM users WHERE email = $1 AND n > 10 -- <b>note</b>\n/* x */";
    const tokens = tokenizeSql(sql);
    expect(tokens.map((t) => t.text).join("")).toBe(sql);
    const kinds = (kind: string) => tokens.filter((t) => t.kind === kind).map((t) => t.text);
    expect(kinds("keyword")).toEqual(["SELECT", "FROM", "WHERE", "AND"]);
    expect(kinds("string")).toEqual(["'it''s'"]);
    expect(kinds("param")).toEqual(["$1"]);
    expect(kinds("number")).toEqual(["10"]);
    expect(kinds("comment")).toEqual(["-- <b>note</b>", "/* x */"]);
  });

  it("keeps unterminated strings and odd input whole", () => {
    for (const text of ["SELECT 'open", "1abc ünï ☃ `q", '{"a": "unterminated', "tru fals nul -"]) {
      expect(
        tokenizeSql(text)
          .map((t) => t.text)
          .join(""),
      ).toBe(text);
      expect(
        tokenizeJson(text)
          .map((t) => t.text)
          .join(""),
      ).toBe(text);
    }
    const json = tokenizeJson('{"name": "x", "n": -1.5, "ok": true}');
    expect(json.filter((t) => t.kind === "key").map((t) => t.text)).toEqual(['"name"', '"n"', '"ok"']);
  });
});

describe("toolbar bundle", () => {
  it("stays under 60 KB gzipped and loads nothing from a CDN", () => {
    ensureUiBuilt();
    const js = readFileSync("dist/ui/toolbar.js");
    const gzipped = gzipSync(js).length;
    console.log(`toolbar.js: ${js.length} bytes, ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThan(60 * 1024);
    expect(js.toString()).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });
});
