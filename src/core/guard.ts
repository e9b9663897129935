import type { AllowRule } from "./config.js";

/**
 * Who may see glassbox. Three checks, all required for glassbox's routes and for the toolbar:
 * the client is loopback (or allowed), the Host header names this machine (stops DNS rebinding),
 * and state-changing requests come from the same origin.
 */

export function isLoopback(ip: string | undefined): boolean {
  if (!ip) return false;
  if (ip === "::1" || ip === "0:0:0:0:0:0:0:1") return true;
  const v4 = ip.startsWith("::ffff:") ? ip.slice(7) : ip;
  return v4.startsWith("127.");
}

/** Strips the port from a Host header value: "localhost:3000" → "localhost", "[::1]:80" → "[::1]". */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(":");
  return colon < 0 ? h : h.slice(0, colon);
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function hostAllowed(host: string | undefined, extraHosts: readonly string[]): boolean {
  if (!host) return false;
  const name = hostName(host);
  if (LOCAL_HOSTS.has(name) || name.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(name)) return true;
  return extraHosts.some((h) => h.toLowerCase() === name);
}

export function clientAllowed(
  ip: string | undefined,
  host: string | undefined,
  allow: AllowRule | undefined,
): boolean {
  if (typeof allow === "function") {
    try {
      return allow({ ip, host }) === true;
    } catch {
      return false;
    }
  }
  if (isLoopback(ip)) return true;
  if (!allow || !ip) return false;
  const bare = ip.startsWith("::ffff:") ? ip.slice(7) : ip;
  return allow.includes(ip) || allow.includes(bare);
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A state-changing request must not come from another site. Browsers send Origin (and
 * Sec-Fetch-Site) on cross-origin POSTs; a request with neither is not from a web page.
 */
export function sameOriginOrNonBrowser(
  method: string,
  headers: {
    origin?: string | string[] | undefined;
    host?: string | undefined;
    "sec-fetch-site"?: string | string[] | undefined;
  },
): boolean {
  if (SAFE_METHODS.has(method)) return true;
  const site = headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") return false;
  const origin = headers.origin;
  if (origin === undefined) return true;
  if (typeof origin !== "string" || origin === "null") return false;
  try {
    return new URL(origin).host.toLowerCase() === (headers.host ?? "").toLowerCase();
  } catch {
    return false;
  }
}
