import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The published shape: every subpath export loads from dist/ with both import and require,
// and has its type declarations. Runs after `npm run build` (the test command builds first).
const SUBPATHS = [
  "glassbox",
  "glassbox/express",
  "glassbox/fastify",
  "glassbox/koa",
  "glassbox/hono",
  "glassbox/node",
];
const built = existsSync("dist/index.js") && existsSync("dist/index.cjs");

describe.skipIf(!built && process.env.CI !== "true")("package exports", () => {
  it.each(SUBPATHS)("%s loads as ESM and as CommonJS, with types", (name) => {
    const esm = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(name)}); console.log(Object.keys(m).sort().join(","));`,
      ],
      { encoding: "utf8" },
    );
    const cjs = execFileSync(
      process.execPath,
      ["-e", `console.log(Object.keys(require(${JSON.stringify(name)})).sort().join(","));`],
      { encoding: "utf8" },
    );
    expect(esm.trim()).not.toBe("");
    expect(cjs.trim()).toBe(esm.trim());
    if (name !== "glassbox") expect(esm).toContain("glassbox");
    const resolved = execFileSync(
      process.execPath,
      ["-e", `console.log(require.resolve(${JSON.stringify(name)}))`],
      { encoding: "utf8" },
    ).trim();
    expect(existsSync(resolved.replace(/\.cjs$/, ".d.cts"))).toBe(true);
    expect(existsSync(resolved.replace(/\.cjs$/, ".d.ts"))).toBe(true);
  });

  it("one process loading both builds shares one request context", () => {
    const out = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { createRequire } from "node:module"; const require = createRequire(process.cwd() + "/x.js"); const esm = await import("glassbox"); const cjs = require("glassbox"); console.log(esm.tryGetContext === cjs.tryGetContext, typeof esm.currentRequestId, typeof cjs.currentRequestId);`,
      ],
      { encoding: "utf8" },
    );
    expect(out.trim()).toBe("false function function");
  });

  // Ajv and yaml load only when a document is given (src/panels/openapi/libraries.ts): from each build.
  it("reads and compiles an OpenAPI YAML document from both builds", () => {
    const dir = mkdtempSync(join(tmpdir(), "glassbox-openapi-"));
    const document = (ref: string) =>
      `openapi: 3.0.3\ninfo: { title: t, version: "1" }\npaths:\n  /n:\n    get:\n      responses:\n        "200":\n          description: ok\n          content:\n            application/json:\n              schema: { $ref: "${ref}" }\ncomponents:\n  schemas:\n    N: { type: integer, format: int32 }\n`;
    writeFileSync(join(dir, "good.yaml"), document("#/components/schemas/N"));
    writeFileSync(join(dir, "bad.yaml"), document("#/components/schemas/Missing"));
    const start = (file: string) =>
      `try { glassbox({ openapi: ${JSON.stringify(join(dir, file))}, store: { path: ":memory:" }, logger: { warn() {} } }).glassbox.close(); console.log("ok"); } catch (e) { console.log(e.code, /cannot be compiled/.test(e.message)); }`;
    for (const [flags, load] of [
      [["--input-type=module"], `const { glassbox } = await import("glassbox/node");`],
      [[], `const { glassbox } = require("glassbox/node");`],
    ] as const) {
      const out = execFileSync(
        process.execPath,
        [...flags, "-e", `${load} ${start("good.yaml")} ${start("bad.yaml")}`],
        {
          encoding: "utf8",
        },
      );
      // The bad document's missing $ref is Ajv's own compile error: Ajv loaded and ran.
      expect(out.trim().split("\n")).toEqual(["ok", "GBX_ERR_OPENAPI true"]);
    }
  });
});
