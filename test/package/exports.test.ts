import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
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
});
