import { z } from "zod";

/**
 * Turns zod's validation issues into lines a user can act on: the full key path, what was
 * expected, and for an unknown key the known ones (with a "did you mean" for typos).
 */

type Issue = z.core.$ZodIssue;
type Key = PropertyKey;

const keyPath = (path: readonly Key[]): string => (path.length ? path.map(String).join(".") : "(options)");

/**
 * One line per problem, e.g. `store.ringSize: Invalid input: expected int, received string` or
 * `store.ringsize: unknown option (did you mean "ringSize"?)`.
 *
 * @example
 * const parsed = schema.safeParse(options);
 * if (!parsed.success) throw new Error(describeIssues(schema, parsed.error.issues).join("; "));
 */
export function describeIssues(
  schema: z.ZodType,
  issues: readonly Issue[],
  base: readonly Key[] = [],
): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(schema, path);
      for (const key of issue.keys) lines.push(`${keyPath([...path, key])}: ${unknownKeyHint(key, known)}`);
    } else if (issue.code === "invalid_union" && issue.errors.length > 0) {
      lines.push(...describeUnion(schema, issue, path));
    } else {
      lines.push(`${keyPath(path)}: ${issue.message}`);
    }
  }
  return lines;
}

/**
 * A union (a Store instance or store options, say) fails in every branch. The branch whose
 * problems sit deepest got furthest, so it explains best; when none got past the top, the
 * union's own message says what kinds of value are accepted.
 */
function describeUnion(
  schema: z.ZodType,
  issue: Extract<Issue, { code: "invalid_union" }>,
  path: readonly Key[],
): string[] {
  let best: readonly Issue[] | undefined;
  let bestDepth = 0;
  for (const branch of issue.errors) {
    const depth = Math.max(0, ...branch.map((i) => i.path.length));
    if (depth > bestDepth) {
      best = branch;
      bestDepth = depth;
    }
  }
  return best ? describeIssues(schema, best, path) : [`${keyPath(path)}: ${issue.message}`];
}

function unknownKeyHint(key: string, known: readonly string[]): string {
  if (known.length === 0) return "unknown option";
  const close = known.find((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k, key) <= 2);
  return close
    ? `unknown option (did you mean "${close}"?)`
    : `unknown option (known options: ${known.join(", ")})`;
}

/** The option names an object schema accepts at a key path, unwrapping defaults and unions. */
function knownKeys(schema: z.ZodType, path: readonly Key[]): string[] {
  let current: z.ZodType | undefined = schema;
  for (const key of path) {
    const object = objectOf(current);
    current = object?.shape[String(key)] as z.ZodType | undefined;
  }
  const object = objectOf(current);
  return object ? Object.keys(object.shape) : [];
}

function objectOf(schema: z.ZodType | undefined, depth = 0): z.ZodObject | undefined {
  if (!schema || depth > 5) return undefined;
  if (schema instanceof z.ZodObject) return schema;
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional || schema instanceof z.ZodPrefault)
    return objectOf(schema.unwrap() as z.ZodType, depth + 1);
  if (schema instanceof z.ZodUnion) {
    for (const option of schema.options) {
      const found = objectOf(option as z.ZodType, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** Levenshtein distance, for "did you mean" on short option names. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length]!;
}
