import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { configSchema } from "../../src/core/config.js";

const docs = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");

/** The object schema inside defaults, optionals and unions, if there is one. */
function objectOf(schema: z.ZodType): z.ZodObject | undefined {
  if (schema instanceof z.ZodObject) return schema;
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional)
    return objectOf(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodUnion)
    for (const option of schema.options) {
      const found = objectOf(option as z.ZodType);
      if (found) return found;
    }
  return undefined;
}

/** Every option a user can set, as a dotted path to a leaf: "store.ringSize", "toolbar". */
function optionPaths(schema: z.ZodObject, base = ""): string[] {
  return Object.entries(schema.shape).flatMap(([key, child]) => {
    const nested = objectOf(child as z.ZodType);
    return nested ? optionPaths(nested, `${base}${key}.`) : [`${base}${key}`];
  });
}

describe("docs/configuration.md", () => {
  it.each(optionPaths(configSchema))("documents %s in a table row", (path) => {
    const row = new RegExp(`^\\|\\s*\`${path.replace(/\./g, "\\.")}\`\\s*\\|`, "m");
    expect(docs, `add a "| \`${path}\` | default | what it does |" row to docs/configuration.md`).toMatch(
      row,
    );
  });
});
