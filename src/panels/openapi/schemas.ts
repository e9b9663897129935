import type { Ajv, ErrorObject, Options, ValidateFunction } from "ajv";
import type { Ajv2020 } from "ajv/dist/2020.js";
import { addFormats, ajv as loadAjv, ajv2020 as loadAjv2020 } from "./libraries.js";
import { openApiError } from "./refs.js";

const DOC_ID = "https://glassbox.invalid/openapi.json";
const MAX_DEPTH = 200;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The OpenAPI-specific formats (int32, int64, ...) JSON Schema does not define. */
function addOpenApiFormats(ajv: Ajv | Ajv2020): void {
  ajv.addFormat("int32", {
    type: "number",
    validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat("float", { type: "number", validate: () => true });
  ajv.addFormat("double", { type: "number", validate: () => true });
  ajv.addFormat("byte", { type: "string", validate: (s: string) => BASE64.test(s) });
  ajv.addFormat("binary", true);
  ajv.addFormat("password", true);
}

/**
 * OpenAPI 3.0 schemas are a dialect of JSON Schema draft 4/5: `nullable: true` instead of a
 * "null" type, boolean exclusiveMinimum/Maximum. Rewrites them (in a copy) into what Ajv's
 * draft-07 validator understands.
 */
export function convert30(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => convert30(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = convert30(v, depth + 1);
  for (const bound of ["Minimum", "Maximum"] as const) {
    const flag = out[`exclusive${bound}`];
    if (typeof flag !== "boolean") continue;
    const limit = out[bound.toLowerCase()];
    if (flag && typeof limit === "number") {
      out[`exclusive${bound}`] = limit;
      delete out[bound.toLowerCase()];
    } else delete out[`exclusive${bound}`];
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (Array.isArray(out.type) && !out.type.includes("null")) out.type = [...out.type, "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (out.type === undefined) return { anyOf: [out, { type: "null" }] };
  }
  return out;
}

/** Two validators over one document: bodies as they are, parameters with string coercion. */
export interface SchemaCompiler {
  /** A validator for the schema at a JSON pointer in the document. */
  atPointer(pointer: string): ValidateFunction;
  /**
   * A validator for parameters: an object of named values (strings, coerced to the schema's
   * types), each checked against the schema at its pointer. Presence is checked by the caller.
   */
  parameters(params: ReadonlyArray<{ key: string; pointer: string }>): ValidateFunction;
}

export function createCompiler(doc: Record<string, unknown>, version: "3.0" | "3.1"): SchemaCompiler {
  const schemaDoc = (version === "3.0" ? convert30(doc) : doc) as Record<string, unknown>;
  const options: Options = { strict: false, allErrors: true, logger: false };
  const make = (extra: Options) => {
    const ajv =
      version === "3.1"
        ? new (loadAjv2020().Ajv2020)({ ...options, ...extra })
        : new (loadAjv().Ajv)({ ...options, ...extra });
    addFormats(ajv);
    addOpenApiFormats(ajv);
    const { $id: _ignored, ...root } = schemaDoc;
    ajv.addSchema(root, DOC_ID, undefined, false);
    return ajv;
  };
  const bodies = make({});
  const params = make({ coerceTypes: "array" });
  const compile = (ajv: Ajv | Ajv2020, schema: object, where: string) => {
    try {
      return ajv.compile(schema);
    } catch (error) {
      const message = (error as Error).message.replace(/ from id \S+/, "");
      throw openApiError(where, `the schema cannot be compiled: ${message}`);
    }
  };
  return {
    atPointer: (pointer) => compile(bodies, { $ref: `${DOC_ID}#${pointer}` }, pointer),
    parameters: (list) =>
      compile(
        params,
        {
          type: "object",
          properties: Object.fromEntries(list.map((p) => [p.key, { $ref: `${DOC_ID}#${p.pointer}` }])),
        },
        list[0]?.pointer ?? "",
      ),
  };
}

/** A validation failure with the JSON pointer of the offending value. */
export interface SchemaProblem {
  pointer: string;
  message: string;
  keyword: string;
}

/** Ajv's errors as pointers and messages; a missing property points at the property itself. */
export function problems(errors: readonly ErrorObject[] | null | undefined, limit = 20): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  for (const e of errors ?? []) {
    if (out.length >= limit) break;
    let pointer = e.instancePath;
    let message = e.message ?? e.keyword;
    const params = e.params as Record<string, unknown>;
    if (e.keyword === "required" && typeof params.missingProperty === "string") {
      pointer = `${pointer}/${params.missingProperty.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      message = "is required but missing";
    } else if (e.keyword === "additionalProperties" && typeof params.additionalProperty === "string") {
      pointer = `${pointer}/${params.additionalProperty.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      message = "is not allowed (additionalProperties)";
    } else if (e.keyword === "enum" && Array.isArray(params.allowedValues)) {
      message = `must be one of ${JSON.stringify(params.allowedValues).slice(0, 200)}`;
    }
    out.push({ pointer, message, keyword: e.keyword });
  }
  return out;
}
