import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as glassbox from "../../src/index.js";

// Every runtime export of the main entry has a line in docs/api.md, so users can find it.
const docs = readFileSync("docs/api.md", "utf8");

describe("docs/api.md", () => {
  it.each(Object.keys(glassbox))("names the export %s", (name) => {
    expect(docs).toContain(`\`${name}\``);
  });
});
