import type { RequestSnapshot, ResponseSnapshot } from "../../core/context.js";
import { decodeQueryComponent } from "../../core/decode.js";
import type { BodyPreview } from "../../core/record.js";
import { isJsonMediaType, type MediaEntry, type Operation, type ParamSet } from "./document.js";
import { problems } from "./schemas.js";

/** One way the exchange disagrees with the document. `pointer` is a JSON pointer into the value named by `in`. */
export interface Violation {
  direction: "request" | "response";
  in: "path" | "query" | "header" | "cookie" | "body" | "status" | "content-type";
  pointer: string;
  message: string;
  keyword?: string;
}

export interface ValidationOutcome {
  violations: Violation[];
  /** What could not be checked, and why (a truncated preview, a non-JSON body, ...). */
  notes: string[];
}

const MAX_VIOLATIONS = 50;

function first(value: string | string[] | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value[0] : String(value);
}

const baseType = (contentType: string | undefined) => contentType?.split(";")[0]?.trim().toLowerCase();

/** The documented media type a content type falls under: exact, then type/*, then *\/*. */
export function mediaFor(
  entries: readonly MediaEntry[],
  contentType: string | undefined,
): MediaEntry | undefined {
  const type = baseType(contentType);
  if (!type) return undefined;
  return (
    entries.find((e) => baseType(e.mediaType) === type) ??
    entries.find((e) => e.mediaType === `${type.split("/")[0]}/*`) ??
    entries.find((e) => e.mediaType === "*/*")
  );
}

/** Adds a value under a key; the maps are prototype-free, so keys like "__proto__" are plain data. */
function append(out: Record<string, string[]>, key: string, value: string): void {
  const list = out[key];
  if (list) list.push(value);
  else out[key] = [value];
}

const emptyMap = (): Record<string, string[]> => Object.create(null);

function parseQuery(url: string): Record<string, string[]> {
  const out = emptyMap();
  const q = url.indexOf("?");
  if (q < 0) return out;
  for (const part of url.slice(q + 1).split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const key = decodeQueryComponent(eq < 0 ? part : part.slice(0, eq));
    append(out, key, decodeQueryComponent(eq < 0 ? "" : part.slice(eq + 1)));
  }
  return out;
}

function parseCookies(header: string | undefined): Record<string, string[]> {
  const out = emptyMap();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    append(out, part.slice(0, eq).trim(), decodeQueryComponent(part.slice(eq + 1).trim()));
  }
  return out;
}

/** Presence, then schemas (values coerced from strings), for one parameter location. */
function checkParams(
  set: ParamSet | undefined,
  where: Violation["in"],
  raw: Record<string, string[]>,
  out: Violation[],
): void {
  if (!set) return;
  const values: Record<string, unknown> = Object.create(null);
  for (const spec of set.specs) {
    const found = raw[spec.key];
    if (found === undefined || found.length === 0) {
      if (spec.required)
        out.push({
          direction: "request",
          in: where,
          pointer: `/${spec.name}`,
          message: "is required but missing",
          keyword: "required",
        });
      continue;
    }
    values[spec.key] = spec.array
      ? spec.explode
        ? found
        : found.flatMap((v) => v.split(","))
      : found.length === 1
        ? found[0]
        : found;
  }
  if (set.validate(values)) return;
  for (const p of problems(set.validate.errors))
    out.push({ direction: "request", in: where, pointer: p.pointer, message: p.message, keyword: p.keyword });
}

/** Parses a whole JSON body preview; says why not otherwise. */
function jsonBody(
  body: BodyPreview | undefined,
  what: string,
  notes: string[],
): { value: unknown } | { invalid: string } | undefined {
  if (!body) {
    notes.push(`${what}: no body preview was kept (empty, binary or compressed), so it was not validated`);
    return undefined;
  }
  if (body.truncated || body.encoding !== "utf8") {
    notes.push(
      `${what}: not validated, the body preview was truncated at ${body.text.length} of ${body.bytes ?? "?"} bytes (limits.bodyPreviewBytes)`,
    );
    return undefined;
  }
  try {
    return { value: JSON.parse(body.text) };
  } catch (error) {
    return { invalid: (error as Error).message };
  }
}

/** Checks a request against its operation: path, query, header and cookie parameters, and the JSON body. */
export function validateRequest(
  op: Operation,
  pathParams: Record<string, string>,
  req: RequestSnapshot,
): ValidationOutcome {
  const violations: Violation[] = [];
  const notes: string[] = [];
  checkParams(
    op.params.path,
    "path",
    Object.fromEntries(Object.entries(pathParams).map(([k, v]) => [k, [v]])),
    violations,
  );
  checkParams(op.params.query, "query", parseQuery(req.url), violations);
  const headers = emptyMap();
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v : [v];
  checkParams(op.params.header, "header", headers, violations);
  checkParams(op.params.cookie, "cookie", parseCookies(first(req.headers.cookie)), violations);

  const contentType = first(req.headers["content-type"]);
  const hasBody = (req.body?.bytes ?? 0) > 0 || Number(first(req.headers["content-length"]) ?? 0) > 0;
  if (!op.body) return { violations: violations.slice(0, MAX_VIOLATIONS), notes };
  if (!hasBody) {
    if (op.body.required)
      violations.push({
        direction: "request",
        in: "body",
        pointer: "",
        message: "the request body is required but missing",
        keyword: "required",
      });
    return { violations: violations.slice(0, MAX_VIOLATIONS), notes };
  }
  const media = mediaFor(op.body.content, contentType);
  if (!media) {
    violations.push({
      direction: "request",
      in: "content-type",
      pointer: "",
      message: `content type ${JSON.stringify(baseType(contentType) ?? "(none)")} is not documented (documented: ${op.body.content.map((c) => c.mediaType).join(", ") || "none"})`,
    });
  } else if (media.validate) {
    checkJson(media, req.body, "request body", "request", violations, notes);
  } else if (!isJsonMediaType(media.mediaType)) {
    notes.push(`request body: ${media.mediaType} bodies are not validated (only JSON is)`);
  }
  return { violations: violations.slice(0, MAX_VIOLATIONS), notes };
}

function checkJson(
  media: MediaEntry,
  body: BodyPreview | undefined,
  what: string,
  direction: Violation["direction"],
  out: Violation[],
  notes: string[],
): void {
  const parsed = jsonBody(body, what, notes);
  if (!parsed || !media.validate) return;
  if ("invalid" in parsed) {
    out.push({
      direction,
      in: "body",
      pointer: "",
      message: `${what} is not valid JSON: ${parsed.invalid.slice(0, 200)}`,
    });
    return;
  }
  if (media.validate(parsed.value)) return;
  for (const p of problems(media.validate.errors))
    out.push({ direction, in: "body", pointer: p.pointer, message: p.message, keyword: p.keyword });
}

/** The documented response for a status: exact code, then its range (2XX), then default. */
export function responseFor(op: Operation, status: number) {
  return (
    op.responses.get(String(status)) ??
    op.responses.get(`${String(status)[0]}XX`) ??
    op.responses.get("DEFAULT")
  );
}

/** Checks a response against its operation: documented status, content type, required headers and JSON body. */
export function validateResponse(
  op: Operation,
  res: ResponseSnapshot,
  isHead: boolean,
): ValidationOutcome & { undocumentedStatus?: number } {
  const violations: Violation[] = [];
  const notes: string[] = [];
  const spec = responseFor(op, res.status);
  if (!spec) {
    violations.push({
      direction: "response",
      in: "status",
      pointer: "",
      message: `status ${res.status} is not documented for ${op.method} ${op.path} (documented: ${[...op.responses.keys()].join(", ").toLowerCase() || "none"})`,
    });
    return { violations, notes, undocumentedStatus: res.status };
  }
  for (const name of spec.requiredHeaders)
    if (res.headers[name] === undefined)
      violations.push({
        direction: "response",
        in: "header",
        pointer: `/${name}`,
        message: "is required but missing",
        keyword: "required",
      });
  if (isHead || res.status === 204 || res.status === 304) return { violations, notes };
  const contentType = first(res.headers["content-type"]);
  const bytes = res.bytes ?? Number(first(res.headers["content-length"]) ?? 0);
  if (spec.content.length === 0) {
    if (bytes > 0)
      violations.push({
        direction: "response",
        in: "content-type",
        pointer: "",
        message: `the response has a ${baseType(contentType) ?? ""} body but the document describes none for status ${res.status}`,
      });
    return { violations, notes };
  }
  const media = mediaFor(spec.content, contentType);
  if (!media) {
    violations.push({
      direction: "response",
      in: "content-type",
      pointer: "",
      message: `content type ${JSON.stringify(baseType(contentType) ?? "(none)")} is not documented for status ${res.status} (documented: ${spec.content.map((c) => c.mediaType).join(", ")})`,
    });
  } else if (media.validate) {
    checkJson(media, res.body, "response body", "response", violations, notes);
  }
  return { violations: violations.slice(0, MAX_VIOLATIONS), notes };
}
