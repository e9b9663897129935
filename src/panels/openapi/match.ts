import type { CompiledDocument, Operation, PathEntry } from "./document.js";

export type MatchResult =
  | { kind: "operation"; operation: Operation; params: Record<string, string> }
  /** A documented path without this method. */
  | { kind: "method"; path: PathEntry }
  | { kind: "route" };

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Finds the documented operation for a request: strips a server base path, then tries the path
 * templates, most literal first ("/pets/mine" before "/pets/{id}"). HEAD falls back to GET.
 */
export function matchOperation(doc: CompiledDocument, method: string, requestPath: string): MatchResult {
  let pathOnly: PathEntry | undefined;
  for (const base of doc.basePaths) {
    if (base && !(requestPath === base || requestPath.startsWith(`${base}/`))) continue;
    const rest = requestPath.slice(base.length) || "/";
    for (const entry of doc.paths) {
      const m = entry.regex.exec(rest);
      if (!m) continue;
      const operation =
        entry.operations.get(method) ?? (method === "HEAD" ? entry.operations.get("GET") : undefined);
      if (!operation) {
        pathOnly ??= entry;
        continue;
      }
      const params: Record<string, string> = {};
      entry.names.forEach((name, i) => {
        params[name] = decode(m[i + 1] ?? "");
      });
      return { kind: "operation", operation, params };
    }
  }
  return pathOnly ? { kind: "method", path: pathOnly } : { kind: "route" };
}
