import { GlassboxError } from "../../core/errors.js";

/** A value found in the document, with the JSON pointer where it lives (after following $refs). */
export interface Located<T = unknown> {
  value: T;
  pointer: string;
}

const MAX_HOPS = 20;

export const escapePointer = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");
const unescapePointer = (segment: string) => segment.replace(/~1/g, "/").replace(/~0/g, "~");

/** Where a pointer is, in the dotted form error messages use (`paths./pets.post`). */
export function describePointer(pointer: string): string {
  return pointer.split("/").slice(1).map(unescapePointer).join(".") || "(document root)";
}

export function openApiError(pointer: string, problem: string): GlassboxError {
  return new GlassboxError("GBX_ERR_OPENAPI", `openapi: ${describePointer(pointer)}: ${problem}`);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Reads the value at a local JSON pointer ("#/components/schemas/Pet"), or undefined. */
export function atPointer(doc: unknown, pointer: string): unknown {
  let node: unknown = doc;
  for (const raw of pointer.split("/").slice(1)) {
    if (node === null || typeof node !== "object") return undefined;
    const key = unescapePointer(safeDecode(raw));
    if (!Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * Follows `$ref`s (local ones only) from the value at `pointer` until a plain object. Throws
 * GBX_ERR_OPENAPI for an external, missing or circular reference.
 */
export function deref(doc: unknown, located: Located): Located<Record<string, unknown>> {
  let current = located;
  for (let hop = 0; hop <= MAX_HOPS; hop++) {
    const value = current.value;
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw openApiError(current.pointer, "expected an object");
    const ref = (value as { $ref?: unknown }).$ref;
    if (ref === undefined) return current as Located<Record<string, unknown>>;
    if (typeof ref !== "string" || !ref.startsWith("#"))
      throw openApiError(
        current.pointer,
        `$ref ${JSON.stringify(ref)} points outside the document; bundle the document into one file first (e.g. \`npx @redocly/cli bundle\`).`,
      );
    const target = atPointer(doc, ref.slice(1));
    if (target === undefined) throw openApiError(current.pointer, `$ref "${ref}" does not resolve.`);
    current = { value: target, pointer: ref.slice(1) };
  }
  throw openApiError(located.pointer, `$ref chain longer than ${MAX_HOPS} (circular?).`);
}
