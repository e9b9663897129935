import { useEffect, useState } from "preact/hooks";

/** A parsed hash route: `#/requests/abc?panel=sql` → { path: "/requests/abc", params }. */
export interface HashRoute {
  path: string;
  params: URLSearchParams;
}

/** Reads a hash like `#/compare?a=1&b=2`; anything unparsable is the list. */
export function parseHash(hash: string): HashRoute {
  const raw = hash.replace(/^#/, "") || "/";
  const q = raw.indexOf("?");
  const path = (q < 0 ? raw : raw.slice(0, q)) || "/";
  return {
    path: path.startsWith("/") ? path : `/${path}`,
    params: new URLSearchParams(q < 0 ? "" : raw.slice(q + 1)),
  };
}

/** Builds a hash link, leaving out empty parameters. */
export function hashLink(path: string, params: Record<string, string | number | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") search.set(k, String(v));
  const qs = search.toString();
  return `#${path}${qs ? `?${qs}` : ""}`;
}

/** The current hash route, updated on navigation. */
export function useHashRoute(): HashRoute {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

/** Changes the hash without adding a history entry (filters typed letter by letter). */
export function replaceHash(hash: string): void {
  if (location.hash === hash) return;
  history.replaceState(null, "", hash);
  dispatchEvent(new HashChangeEvent("hashchange"));
}
