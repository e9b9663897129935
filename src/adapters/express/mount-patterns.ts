import type { IncomingMessage } from "node:http";

/** The parts of an Express 4 / router 2 Layer that say where it is mounted. */
export interface MountLayer {
  /** Express 5 (router 2): the path the layer was registered with. */
  rawPath?: unknown;
  /** Express 4: the compiled matcher and its parameter names. */
  regexp?: RegExp & { fast_slash?: boolean };
  keys?: { name: string | number; optional?: boolean }[];
}

const patterns = new WeakMap<object, string | null>();

/**
 * The path a router is mounted at, as registered ("/orgs/:org", "" for the root), or undefined
 * when it is a RegExp, an array or a wildcard that glassbox cannot spell back.
 *
 * @example
 * app.use("/orgs/:org", router);
 * mountPattern(app._router.stack.at(-1)); // "/orgs/:org"
 */
export function mountPattern(layer: MountLayer): string | undefined {
  let pattern = patterns.get(layer);
  if (pattern === undefined) {
    pattern = readPattern(layer) ?? null;
    patterns.set(layer, pattern);
  }
  return pattern ?? undefined;
}

function readPattern(layer: MountLayer): string | undefined {
  if (typeof layer.rawPath === "string") {
    const path = layer.rawPath.endsWith("/") ? layer.rawPath.slice(0, -1) : layer.rawPath;
    return /[*(){}]/.test(path) ? undefined : path;
  }
  const re = layer.regexp;
  if (!re) return undefined;
  if (re.fast_slash) return "";
  // Express 4 compiles "/orgs/:org" to ^\/orgs(?:\/([^/]+?))\/?(?=\/|$)
  const body = /^\^(.*)\\\/\?\(\?=\\\/\|\$\)$/.exec(re.source)?.[1];
  if (body === undefined) return undefined;
  let index = 0;
  let missingKey = false;
  const named = body.replace(/\(\?:\\\/\(\[\^\/\]\+\?\)\)(\?)?/g, (_group, optional: string | undefined) => {
    const key = layer.keys?.[index++];
    if (!key) missingKey = true;
    return `/:${key?.name ?? ""}${optional ?? ""}`;
  });
  const path = named.replace(/\\([/.-])/g, "$1");
  if (missingKey || /[()[\]*+^$|\\]/.test(path.replace(/\/:[\w$]+\??/g, ""))) return undefined;
  return path;
}

/**
 * Per request: each concrete base URL a router was entered at ("/orgs/acme") and the pattern it
 * stands for ("/orgs/:org"). Keyed by the request, so it is gone with it.
 */
const trails = new WeakMap<IncomingMessage, Map<string, string>>();

/**
 * Notes that `req` entered a router mounted by `layer`; Express has just set `req.baseUrl` to the
 * concrete prefix. The parent's pattern is found by dropping as many segments as the mount has.
 *
 * @example
 * // In the Layer's request path, once Express has set req.baseUrl to "/orgs/acme":
 * enterMount(req, layer); // basePattern(req) is now "/orgs/:org"
 */
export function enterMount(req: IncomingMessage & { baseUrl?: string }, layer: MountLayer): void {
  const own = mountPattern(layer);
  const concrete = req.baseUrl ?? "";
  // Optional segments make the concrete prefix shorter than the pattern: keep the concrete one.
  if (own === undefined || own.includes("?")) return;
  const parts = concrete.split("/");
  const segments = own === "" ? 0 : own.split("/").length - 1;
  const parent = parts.slice(0, Math.max(1, parts.length - segments)).join("/");
  let trail = trails.get(req);
  if (!trail) {
    trail = new Map();
    trails.set(req, trail);
  }
  trail.set(concrete, (trail.get(parent) ?? parent) + own);
}

/**
 * The pattern of the base URL a request was answered under: "/orgs/:org" for "/orgs/acme".
 *
 * @example
 * const route = basePattern(req) + req.route.path; // "/orgs/:org/repos/:repo"
 */
export function basePattern(req: IncomingMessage & { baseUrl?: string }): string {
  const base = req.baseUrl ?? "";
  return trails.get(req)?.get(base) ?? base;
}
