import { createServer } from "node:http";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import { listen, type Running, recordFor, testOptions } from "../helpers/http.js";

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe("express adapter", () => {
  it("records method, route pattern, status and duration", async () => {
    const mw = glassbox(testOptions());
    const app = express();
    app.use(mw);
    app.get("/users/:id", (req, res) => {
      console.log("loading user", req.params.id);
      res.json({ id: req.params.id });
    });
    running = await listen(createServer(app));
    const res = await fetch(`${running.url}/users/42?x=1`);
    expect(res.status).toBe(200);
    const record = await recordFor(mw.glassbox!, res);
    expect(record.method).toBe("GET");
    expect(record.route).toBe("/users/:id");
    expect(record.status).toBe(200);
    expect(record.path).toBe("/users/42");
    expect(record.durationMs).toBeGreaterThan(0);
    expect(JSON.stringify(record.panels.logging?.data)).toContain("loading user 42");
    await mw.glassbox!.close();
  });

  it("injects the toolbar into HTML with a correct Content-Length", async () => {
    const mw = glassbox(testOptions());
    const app = express();
    app.use(mw);
    app.get("/", (_req, res) => res.send("<html><body><h1>hi</h1></body></html>"));
    running = await listen(createServer(app));
    const res = await fetch(`${running.url}/`);
    const body = await res.text();
    expect(body).toContain(`<script src="/__glassbox/toolbar.js"`);
    expect(body.indexOf("<script")).toBeLessThan(body.indexOf("</body>"));
    expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(body));
    await mw.glassbox!.close();
  });
});
