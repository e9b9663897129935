import { createServer } from "node:http";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import { glassbox as nodeGlassbox } from "../../src/adapters/node-http.js";
import { type GlassboxOptions, resolveConfig } from "../../src/core/config.js";
import { GlassboxError } from "../../src/core/errors.js";
import { listen, type Running } from "../helpers/http.js";

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** The GBX_ERR_CONFIG message for these options (fails the test when they are accepted). */
function configError(options: unknown): string {
  try {
    resolveConfig(options as GlassboxOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(GlassboxError);
    expect((error as GlassboxError).code).toBe("GBX_ERR_CONFIG");
    return (error as Error).message;
  }
  throw new Error(`options were accepted: ${JSON.stringify(options)}`);
}

describe("config validation", () => {
  it("names the key path and what it expects", () => {
    expect(configError({ store: { ringSize: "10" } })).toMatch(
      /store\.ringSize: .*expected number, received string/,
    );
    expect(configError({ store: { ringSize: 0 } })).toMatch(/store\.ringSize: .*>=1/);
    expect(configError({ limits: { bodyPreviewBytes: -1 } })).toMatch(/limits\.bodyPreviewBytes: .*>=0/);
    expect(configError({ limits: { stackDepth: 1000 } })).toMatch(/limits\.stackDepth: .*<=100/);
    expect(configError({ redact: { keys: "password" } })).toMatch(/redact\.keys: .*expected RegExp/);
    expect(configError({ prefix: "glassbox/" })).toMatch(/prefix: a path like \/__glassbox/);
    expect(configError({ hosts: ["ok", 5] })).toMatch(/hosts\.1: .*expected string/);
    expect(configError({ allow: "127.0.0.1" })).toMatch(
      /allow: expected an array of IP addresses or a function/,
    );
    expect(configError({ allow: ["10.0.0.1", 7] })).toMatch(/allow\.1: .*expected string/);
    expect(configError({ store: 42 })).toMatch(/store: expected store options .* or a Store instance/);
    expect(configError({ panels: [{ title: "no id" }] })).toMatch(
      /panels\.0: a panel object with id and finish\(\)/,
    );
    expect(configError({ logger: console.log })).toMatch(/logger: an object with warn\(\)/);
    expect(configError(42)).toMatch(/\(options\): .*expected object/);
  });

  it("reports every problem at once", () => {
    const message = configError({ toolbar: "yes", store: { queueLimit: 1.5 } });
    expect(message).toMatch(/toolbar: .*expected boolean/);
    expect(message).toMatch(/store\.queueLimit: /);
  });

  it("reports unknown keys, suggesting the option meant", () => {
    expect(configError({ colour: "blue" })).toMatch(
      /colour: unknown option \(known options: enabled, .*prefix/,
    );
    expect(configError({ store: { ringsize: 5 } })).toMatch(
      /store\.ringsize: unknown option \(did you mean "ringSize"\?\)/,
    );
    expect(configError({ serverTimming: false })).toMatch(
      /serverTimming: unknown option \(did you mean "serverTiming"\?\)/,
    );
    expect(configError({ limits: { nope: 1 } })).toMatch(
      /limits\.nope: unknown option \(known options: bodyPreviewBytes/,
    );
  });

  it("throws from the adapters before anything is installed", () => {
    expect(() => glassbox({ store: { ringSize: -1 } } as GlassboxOptions)).toThrow(/GBX_ERR_CONFIG/);
    expect(() => nodeGlassbox({ unknownThing: true } as GlassboxOptions)).toThrow(
      /unknownThing: unknown option/,
    );
  });

  it("fills defaults", () => {
    const config = resolveConfig({});
    expect(config).toMatchObject({
      enabled: true,
      allowInProduction: false,
      prefix: "/__glassbox",
      toolbar: true,
      serverTiming: true,
      store: { path: ".glassbox/glassbox.db", ringSize: 1000, queueLimit: 5000 },
      limits: { bodyPreviewBytes: 16 * 1024 },
    });
    expect(config.service).toBe("glassbox");
  });
});

describe("enabled: false", () => {
  it("returns a middleware that installs nothing and records nothing", async () => {
    const log = console.log;
    const mw = glassbox({ enabled: false });
    expect(mw.glassbox).toBeUndefined();
    expect(console.log).toBe(log);
    const app = express();
    app.use(mw);
    app.get("/", (_req, res) => res.type("html").send("<html><body>page</body></html>"));
    app.use((_req, res) => res.status(404).send("app 404"));
    running = await listen(createServer(app));
    const page = await fetch(`${running.url}/`);
    expect(await page.text()).toBe("<html><body>page</body></html>");
    expect(page.headers.get("x-glassbox-id")).toBeNull();
    expect(page.headers.get("server-timing")).toBeNull();
    const own = await fetch(`${running.url}/__glassbox/api/requests`);
    expect(own.status).toBe(404);
    expect(await own.text()).toBe("app 404");
    expect(console.log).toBe(log);
    // After its first request it is no longer one of the app's router layers at all.
    expect(app.router.stack.some((layer) => layer.handle === mw)).toBe(false);
    expect(await (await fetch(`${running.url}/`)).text()).toBe("<html><body>page</body></html>");
  });

  it("hands the node:http handler back unwrapped", () => {
    const handler = () => {};
    const wrap = nodeGlassbox({ enabled: false });
    expect(wrap.glassbox).toBeUndefined();
    expect(wrap(handler)).toBe(handler);
  });
});
