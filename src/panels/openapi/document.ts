import type { ValidateFunction } from "ajv";
import { GlassboxError } from "../../core/errors.js";
import { atPointer, deref, escapePointer, type Located, openApiError } from "./refs.js";
import { createCompiler, type SchemaCompiler } from "./schemas.js";

export const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
export type ParamLocation = "path" | "query" | "header" | "cookie";
const LOCATIONS: readonly ParamLocation[] = ["path", "query", "header", "cookie"];
/** Per the spec these header parameters are ignored: they are described elsewhere. */
const IGNORED_HEADERS = new Set(["accept", "content-type", "authorization"]);

export interface ParamSpec {
  /** The name as written in the document; `key` is what values are keyed by (lowercase for headers). */
  name: string;
  key: string;
  required: boolean;
  /** The schema says array, so `a,b` (explode: false) or repeated keys become a list. */
  array: boolean;
  explode: boolean;
}

export interface ParamSet {
  specs: ParamSpec[];
  validate: ValidateFunction;
}

export interface MediaEntry {
  /** Lowercase media range as documented ("application/json", "image/*"). */
  mediaType: string;
  /** Present when the media type is JSON-like and has a schema. */
  validate?: ValidateFunction;
}

export interface ResponseSpec {
  content: MediaEntry[];
  requiredHeaders: string[];
}

export interface Operation {
  method: string;
  /** The path template as documented ("/pets/{petId}"). */
  path: string;
  operationId?: string;
  summary?: string;
  tags: string[];
  deprecated: boolean;
  params: Partial<Record<ParamLocation, ParamSet>>;
  body?: { required: boolean; content: MediaEntry[] };
  /** By documented key: "200", "2XX", "default". */
  responses: Map<string, ResponseSpec>;
}

export interface PathEntry {
  template: string;
  regex: RegExp;
  names: string[];
  /** Templates with fewer variables (more literal) are tried first. */
  variables: number;
  literalLength: number;
  operations: Map<string, Operation>;
}

/** A document checked and compiled once: every schema has its validator before the first request. */
export interface CompiledDocument {
  openapi: string;
  title: string;
  version: string;
  /** Base paths from `servers` (longest first); "" when the document has none. */
  basePaths: string[];
  paths: PathEntry[];
  operationCount: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

export const isJsonMediaType = (mediaType: string) =>
  /^application\/(json|[\w.+-]+\+json)$/i.test(mediaType.split(";")[0]!.trim()) || mediaType.trim() === "*/*";

/**
 * Checks an OpenAPI 3.0/3.1 document and compiles every schema in it. Throws GBX_ERR_OPENAPI
 * naming the place and the problem (`openapi: paths./pets.post.requestBody: $ref ... does not resolve`).
 */
export function compileDocument(doc: unknown): CompiledDocument {
  if (!isObject(doc))
    throw new GlassboxError(
      "GBX_ERR_OPENAPI",
      `openapi: the document is ${doc === null ? "null" : typeof doc}, not an object.`,
    );
  if (typeof doc.swagger === "string")
    throw new GlassboxError(
      "GBX_ERR_OPENAPI",
      `openapi: this is a Swagger ${doc.swagger} document; glassbox reads OpenAPI 3.0 and 3.1 (convert it, e.g. with swagger2openapi).`,
    );
  const openapi = doc.openapi;
  if (typeof openapi !== "string" || !/^3\.[01]\.\d+/.test(openapi))
    throw new GlassboxError(
      "GBX_ERR_OPENAPI",
      `openapi: the "openapi" field is ${JSON.stringify(openapi) ?? "missing"}; expected a version like "3.0.3" or "3.1.0".`,
    );
  if (!isObject(doc.paths) && !(openapi.startsWith("3.1") && doc.paths === undefined))
    throw openApiError("/paths", "expected an object of path templates.");
  const info = isObject(doc.info) ? doc.info : {};
  const compiler = createCompiler(doc, openapi.startsWith("3.1") ? "3.1" : "3.0");
  const paths: PathEntry[] = [];
  let operationCount = 0;
  for (const [template, rawItem] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    const itemPointer = `/paths/${escapePointer(template)}`;
    if (!template.startsWith("/")) throw openApiError(itemPointer, 'a path template must start with "/".');
    const item = deref(doc, { value: rawItem, pointer: itemPointer });
    const shared = parameterList(doc, item.value.parameters, `${item.pointer}/parameters`);
    const entry = pathEntry(template, itemPointer);
    for (const method of METHODS) {
      const raw = item.value[method];
      if (raw === undefined) continue;
      const opPointer = `${item.pointer}/${method}`;
      if (!isObject(raw)) throw openApiError(opPointer, "an operation must be an object.");
      const own = parameterList(doc, raw.parameters, `${opPointer}/parameters`);
      entry.operations.set(
        method.toUpperCase(),
        operation(doc, compiler, method, template, raw, opPointer, [...shared, ...own]),
      );
      operationCount++;
    }
    for (const name of entry.names) {
      const declared = [...entry.operations.values()].every((op) =>
        op.params.path?.specs.some((p) => p.name === name),
      );
      if (!declared)
        throw openApiError(
          itemPointer,
          `the template variable {${name}} has no "in: path" parameter in every operation.`,
        );
    }
    paths.push(entry);
  }
  paths.sort((a, b) => a.variables - b.variables || b.literalLength - a.literalLength);
  return {
    openapi,
    title: typeof info.title === "string" ? info.title : "(untitled)",
    version: typeof info.version === "string" ? info.version : "",
    basePaths: basePaths(doc.servers),
    paths,
    operationCount,
  };
}

function pathEntry(template: string, pointer: string): PathEntry {
  const names: string[] = [];
  let literalLength = 0;
  let source = "";
  for (const part of template.split(/(\{[^}]*\})/)) {
    if (part.startsWith("{") && part.endsWith("}")) {
      const name = part.slice(1, -1);
      if (!name) throw openApiError(pointer, "a path template has an empty {} variable.");
      names.push(name);
      source += "([^/]+)";
    } else {
      literalLength += part.length;
      source += part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }
  }
  return {
    template,
    regex: new RegExp(`^${source}/?$`),
    names,
    variables: names.length,
    literalLength,
    operations: new Map(),
  };
}

interface RawParam {
  located: Located<Record<string, unknown>>;
  name: string;
  in: ParamLocation;
}

function parameterList(doc: Record<string, unknown>, list: unknown, pointer: string): RawParam[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw openApiError(pointer, "parameters must be an array.");
  return list.map((raw, i) => {
    const located = deref(doc, { value: raw, pointer: `${pointer}/${i}` });
    const { name, in: where } = located.value;
    if (typeof name !== "string" || name === "")
      throw openApiError(located.pointer, 'a parameter needs a non-empty "name".');
    if (!LOCATIONS.includes(where as ParamLocation))
      throw openApiError(
        located.pointer,
        `"in" is ${JSON.stringify(where)}; expected path, query, header or cookie.`,
      );
    return { located, name, in: where as ParamLocation };
  });
}

function operation(
  doc: Record<string, unknown>,
  compiler: SchemaCompiler,
  method: string,
  path: string,
  raw: Record<string, unknown>,
  pointer: string,
  rawParams: RawParam[],
): Operation {
  // Operation-level parameters override path-level ones with the same name and location.
  const byKey = new Map<string, RawParam>();
  for (const p of rawParams) byKey.set(`${p.in}:${p.in === "header" ? p.name.toLowerCase() : p.name}`, p);
  const op: Operation = {
    method: method.toUpperCase(),
    path,
    tags: Array.isArray(raw.tags) ? raw.tags.filter((t): t is string => typeof t === "string") : [],
    deprecated: raw.deprecated === true,
    params: {},
    responses: new Map(),
  };
  if (typeof raw.operationId === "string") op.operationId = raw.operationId;
  if (typeof raw.summary === "string") op.summary = raw.summary;
  for (const where of LOCATIONS) {
    const specs: ParamSpec[] = [];
    const schemas: { key: string; pointer: string }[] = [];
    for (const p of byKey.values()) {
      if (p.in !== where) continue;
      if (where === "header" && IGNORED_HEADERS.has(p.name.toLowerCase())) continue;
      const key = where === "header" ? p.name.toLowerCase() : p.name;
      const schemaPointer = parameterSchemaPointer(p);
      const schema = schemaPointer
        ? deref(doc, { value: atPointer(doc, schemaPointer), pointer: schemaPointer }).value
        : undefined;
      const type = schema?.type;
      const style = p.located.value.style;
      specs.push({
        name: p.name,
        key,
        required: where === "path" || p.located.value.required === true,
        array: type === "array" || (Array.isArray(type) && type.includes("array")),
        explode:
          typeof p.located.value.explode === "boolean"
            ? p.located.value.explode
            : style === undefined || style === "form",
      });
      if (schemaPointer) schemas.push({ key, pointer: schemaPointer });
    }
    if (specs.length) op.params[where] = { specs, validate: compiler.parameters(schemas) };
  }
  if (raw.requestBody !== undefined) {
    const body = deref(doc, { value: raw.requestBody, pointer: `${pointer}/requestBody` });
    op.body = {
      required: body.value.required === true,
      content: mediaEntries(compiler, body.value.content, `${body.pointer}/content`),
    };
  }
  if (raw.responses !== undefined) {
    if (!isObject(raw.responses)) throw openApiError(`${pointer}/responses`, "responses must be an object.");
    for (const [status, rawResponse] of Object.entries(raw.responses)) {
      if (!/^([1-5](\d\d|XX)|default)$/i.test(status))
        throw openApiError(
          `${pointer}/responses`,
          `"${status}" is not a status code, a range like 2XX, or "default".`,
        );
      const res = deref(doc, {
        value: rawResponse,
        pointer: `${pointer}/responses/${escapePointer(status)}`,
      });
      const headers = isObject(res.value.headers) ? res.value.headers : {};
      op.responses.set(status.toUpperCase(), {
        content: mediaEntries(compiler, res.value.content, `${res.pointer}/content`),
        requiredHeaders: Object.entries(headers)
          .filter(([, h]) => isObject(h) && h.required === true)
          .map(([name]) => name.toLowerCase()),
      });
    }
  }
  return op;
}

/** Where a parameter's schema is: `schema`, or the one media type of `content`. */
function parameterSchemaPointer(p: RawParam): string | undefined {
  const v = p.located.value;
  if (v.schema !== undefined) return `${p.located.pointer}/schema`;
  if (isObject(v.content)) {
    const [mediaType, media] = Object.entries(v.content)[0] ?? [];
    if (mediaType && isObject(media) && media.schema !== undefined)
      return `${p.located.pointer}/content/${escapePointer(mediaType)}/schema`;
  }
  return undefined;
}

function mediaEntries(compiler: SchemaCompiler, content: unknown, pointer: string): MediaEntry[] {
  if (content === undefined) return [];
  if (!isObject(content)) throw openApiError(pointer, "content must be an object of media types.");
  return Object.entries(content).map(([mediaType, media]) => {
    const entry: MediaEntry = { mediaType: mediaType.toLowerCase() };
    if (isObject(media) && media.schema !== undefined && isJsonMediaType(mediaType))
      entry.validate = compiler.atPointer(`${pointer}/${escapePointer(mediaType)}/schema`);
    return entry;
  });
}

/** The path part of each server URL, with {variables} set to their defaults; [""] without servers. */
function basePaths(servers: unknown): string[] {
  const out = new Set<string>();
  if (Array.isArray(servers)) {
    for (const server of servers) {
      if (!isObject(server) || typeof server.url !== "string") continue;
      const vars = isObject(server.variables) ? server.variables : {};
      const url = server.url.replace(/\{([^}]+)\}/g, (_m, name: string) => {
        const v = vars[name];
        return isObject(v) && typeof v.default === "string" ? v.default : "";
      });
      let path: string;
      try {
        path = new URL(url, "http://relative.invalid").pathname;
      } catch {
        continue;
      }
      out.add(path.replace(/\/+$/, ""));
    }
  }
  if (out.size === 0) out.add("");
  return [...out].sort((a, b) => b.length - a.length);
}
