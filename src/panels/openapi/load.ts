import { readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { GlassboxError } from "../../core/errors.js";
import { yaml } from "./libraries.js";

/** Reads an OpenAPI document from a .json, .yaml or .yml file. Throws GBX_ERR_OPENAPI saying what is wrong. */
export function readDocumentFile(path: string, cwd: string = process.cwd()): unknown {
  const full = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(full, "utf8");
  } catch (error) {
    throw new GlassboxError(
      "GBX_ERR_OPENAPI",
      `openapi: cannot read ${full}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Pass a path to an OpenAPI .json or .yaml file, the document object, or a function returning it.`,
    );
  }
  const ext = extname(full).toLowerCase();
  try {
    if (ext === ".json") return JSON.parse(text);
    if (ext === ".yaml" || ext === ".yml") return yaml().parse(text, { maxAliasCount: 1000 });
  } catch (error) {
    throw new GlassboxError(
      "GBX_ERR_OPENAPI",
      `openapi: ${full} is not valid ${ext === ".json" ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  throw new GlassboxError(
    "GBX_ERR_OPENAPI",
    `openapi: ${full} has the extension "${ext}"; glassbox reads .json, .yaml and .yml documents.`,
  );
}
