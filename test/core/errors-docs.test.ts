import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERRORS, WARNINGS } from "../../src/core/errors.js";

const docs = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
/** The codes that have their own section: a `### CODE` heading. */
const documented = new Set([...docs.matchAll(/^###\s+(GBX\w+)\s*$/gm)].map((m) => m[1]));

describe("docs/errors.md", () => {
  it.each(Object.keys(ERRORS))("documents error %s", (code) => {
    expect(documented.has(code), `add a "### ${code}" section to docs/errors.md`).toBe(true);
  });

  it.each(Object.keys(WARNINGS))("documents warning %s", (code) => {
    expect(documented.has(code), `add a "### ${code}" section to docs/errors.md`).toBe(true);
  });

  it("documents no code that does not exist", () => {
    const known = new Set([...Object.keys(ERRORS), ...Object.keys(WARNINGS)]);
    expect([...documented].filter((code) => !known.has(code!))).toEqual([]);
  });

  it("gives every code a meaning and a fix", () => {
    const sections = docs.split(/^###\s+/m).slice(1);
    for (const section of sections) {
      const code = section.split("\n")[0]!.trim();
      expect(section, code).toMatch(/\*\*Fix:\*\*/);
    }
  });
});
