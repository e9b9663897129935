import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { glassbox } from "../../src/adapters/express.js";
import type { GlassboxOptions } from "../../src/core/config.js";
import type { GlassboxRecord } from "../../src/core/record.js";
import type { OpenApiData } from "../../src/panels/openapi/index.js";
import { listen, type Running, recordFor, testOptions } from "../helpers/http.js";
import { petDocument } from "./support.js";

let running: Running | undefined;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await running?.close();
  await close?.();
  running = undefined;
  close = undefined;
});

/** The pet store app, with handlers that answer what the test asks for. */
async function petApp(options: GlassboxOptions) {
  const warnings: string[] = [];
  const mw = glassbox({ ...testOptions(warnings), ...options });
  const app = express();
  app.use(mw);
  app.use(express.json());
  const api = express.Router();
  api.post("/pets", (req, res) => {
    // The bug under test: `?forget=name` drops a required field from the response.
    const pet: Record<string, unknown> = { id: 1, name: req.body.name };
    if (req.query.forget === "name") delete pet.name;
    res.status(201).json(pet);
  });
  api.get("/pets/:petId", (req, res) => {
    if (req.params.petId === "7") return res.status(418).send("teapot");
    if (req.params.petId === "999") return res.json({ id: 2, name: "x".repeat(5000) });
    res.json({ id: Number(req.params.petId), name: "rex", tag: null });
  });
  api.get("/nope", (_req, res) => res.json({}));
  app.use("/api/v1", api);
  running = await listen(createServer(app));
  close = () => mw.glassbox!.close();
  const base = running.url;
  return {
    warnings,
    async call(
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<GlassboxRecord> {
      const res = await fetch(`${base}${path}`, {
        method,
        ...(body === undefined
          ? { headers }
          : { body: JSON.stringify(body), headers: { ...headers, "content-type": "application/json" } }),
      });
      await res.arrayBuffer();
      return recordFor(mw.glassbox!, res);
    },
  };
}

const dataOf = (record: GlassboxRecord) => record.panels.openapi?.data as OpenApiData;

describe("openapi panel (express)", () => {
  it("matches the operation and reports a wrong body type and a missing response field with JSON pointers", async () => {
    const app = await petApp({ openapi: petDocument() });
    const record = await app.call("POST", "/api/v1/pets?forget=name", { name: "rex", age: "old" });
    const data = dataOf(record);
    expect(data.operation).toMatchObject({
      method: "POST",
      path: "/pets",
      operationId: "createPet",
      tags: ["pets"],
    });
    expect(data.violations).toEqual([
      { direction: "request", in: "body", pointer: "/age", message: "must be integer", keyword: "type" },
      {
        direction: "response",
        in: "body",
        pointer: "/name",
        message: "is required but missing",
        keyword: "required",
      },
    ]);
    expect(record.stats["openapi.violations"]).toBe(2);
    expect(record.alerts.map((a) => a.rule)).toEqual(
      expect.arrayContaining(["openapi.request-invalid", "openapi.response-invalid"]),
    );
  });

  it("a conforming exchange produces no violation", async () => {
    const app = await petApp({ openapi: petDocument() });
    const record = await app.call("POST", "/api/v1/pets", { name: "rex", age: 3, tag: null });
    expect(dataOf(record).violations).toEqual([]);
    expect(dataOf(record).notes).toEqual([]);
    expect(record.stats["openapi.violations"]).toBe(0);
    const get = await app.call("GET", "/api/v1/pets/5?fields=name&fields=id");
    expect(dataOf(get)).toMatchObject({
      operation: { operationId: "getPet" },
      params: { petId: "5" },
      violations: [],
    });
  });

  it("takes hostile query and cookie names as plain data", async () => {
    const app = await petApp({ openapi: petDocument() });
    const record = await app.call(
      "GET",
      "/api/v1/pets/5?__proto__=1&constructor=x&fields=%E0%A4%A",
      undefined,
      {
        cookie: "__proto__=x; toString=y",
      },
    );
    expect(record.status).toBe(200);
    expect(record.panels.openapi?.error).toBeUndefined();
    expect(dataOf(record).violations).toEqual([]);
  });

  it("checks path parameters against their schema", async () => {
    const app = await petApp({ openapi: petDocument() });
    const record = await app.call("GET", "/api/v1/pets/0");
    expect(dataOf(record).violations).toContainEqual(
      expect.objectContaining({
        direction: "request",
        in: "path",
        pointer: "/petId",
        message: "must be >= 1",
      }),
    );
  });

  it("flags undocumented routes, methods and status codes", async () => {
    const app = await petApp({ openapi: petDocument() });
    const route = await app.call("GET", "/api/v1/nope");
    expect(dataOf(route).undocumented).toBe("route");
    expect(route.alerts.find((a) => a.rule === "openapi.undocumented")?.message).toContain("/api/v1/nope");
    expect(route.stats["openapi.undocumented"]).toBe(1);
    const method = await app.call("DELETE", "/api/v1/pets");
    expect(dataOf(method).undocumented).toBe("method");
    const status = await app.call("GET", "/api/v1/pets/7");
    expect(dataOf(status).undocumentedStatus).toBe(418);
    expect(dataOf(status).violations[0]).toMatchObject({
      in: "status",
      message: expect.stringContaining("418"),
    });
  });

  it("says a truncated response was not validated", async () => {
    const app = await petApp({ openapi: petDocument(), limits: { bodyPreviewBytes: 1024 } });
    const record = await app.call("GET", "/api/v1/pets/999");
    expect(dataOf(record).violations).toEqual([]);
    expect(dataOf(record).notes.join()).toMatch(
      /response body: not validated, the body preview was truncated/,
    );
  });

  it("reads OpenAPI 3.0 documents (nullable) from a YAML file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "glassbox-openapi-"));
    const file = join(dir, "openapi.yaml");
    writeFileSync(file, toYaml(petDocument("3.0.3")));
    const app = await petApp({ openapi: file });
    const ok = await app.call("POST", "/api/v1/pets", { name: "rex", tag: null });
    expect(dataOf(ok).violations).toEqual([]);
    const bad = await app.call("POST", "/api/v1/pets", { name: "rex", tag: 5 });
    expect(dataOf(bad).violations[0]).toMatchObject({ in: "body", pointer: "/tag" });
  });

  it("takes a function returning the document, called on the first request", async () => {
    let calls = 0;
    const app = await petApp({
      openapi: () => {
        calls++;
        return petDocument();
      },
    });
    expect(calls).toBe(0);
    await app.call("GET", "/api/v1/pets/5");
    await app.call("GET", "/api/v1/pets/6");
    expect(calls).toBe(1);
  });

  it("renders a view from the stored data", async () => {
    const app = await petApp({ openapi: petDocument() });
    const record = await app.call("POST", "/api/v1/pets", { name: 1 });
    const { createOpenApiPanel } = await import("../../src/panels/openapi/index.js");
    const nodes = createOpenApiPanel(petDocument()).view!(dataOf(record), record);
    expect(JSON.stringify(nodes)).toContain("/name");
  });
});

describe("malformed documents", () => {
  const start = (openapi: GlassboxOptions["openapi"]) => () => glassbox({ ...testOptions(), openapi });

  it("fail at startup with GBX_ERR_OPENAPI naming the problem", () => {
    const broken = petDocument();
    (broken.paths as Record<string, Record<string, Record<string, unknown>>>)["/pets"]!.post!.requestBody = {
      content: { "application/json": { schema: { $ref: "#/components/schemas/Missing" } } },
    };
    expect(start(broken)).toThrow(/GBX_ERR_OPENAPI/);
    expect(start(broken)).toThrow(/paths\./);
    expect(start(broken)).toThrow(/Missing/);

    expect(start({ info: { title: "x" }, paths: {} })).toThrow(/"openapi" field is missing/);
    expect(start({ swagger: "2.0", paths: {} })).toThrow(/Swagger 2\.0/);
    const badParam = petDocument();
    (badParam.components as { parameters: Record<string, unknown> }).parameters.PetId = {
      name: "petId",
      in: "body",
    };
    expect(start(badParam)).toThrow(/components\.parameters\.PetId: "in" is "body"/);
  });

  it("name the file when it cannot be read or parsed", () => {
    const dir = mkdtempSync(join(tmpdir(), "glassbox-openapi-"));
    const file = join(dir, "broken.yaml");
    writeFileSync(file, "openapi: 3.1.0\npaths: [unclosed\n");
    expect(start(file)).toThrow(/broken\.yaml is not valid YAML/);
    expect(start(join(dir, "absent.json"))).toThrow(/cannot read .*absent\.json: ENOENT/);
    expect(start(42 as never)).toThrow(/openapi/);
  });
});
