/**
 * Small readers the built-in rules share: header values, Set-Cookie attributes, HTML detection,
 * and whether a Host names this machine. All of them accept hostile input without throwing.
 */
import type { SetCookie } from "./types.js";

type HeaderBag = Readonly<Record<string, string | string[] | number | undefined>>;

/** A header as one string: repeated values joined with ", ", numbers as text. Case-insensitive. */
export function headerValue(headers: HeaderBag | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  let value = headers[wanted];
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === wanted) {
        value = headers[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(", ") : String(value);
}

/** Every value of a header that may repeat (Set-Cookie), one entry per header line. */
export function headerValues(headers: HeaderBag | undefined, name: string): string[] {
  if (!headers) return [];
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = headers[key];
    if (value === undefined) return [];
    return Array.isArray(value) ? value.map(String) : [String(value)];
  }
  return [];
}

const HTML_TYPE = /^\s*(text\/html|application\/xhtml\+xml)\b/i;

export function isHtmlType(contentType: string | undefined): boolean {
  return contentType !== undefined && HTML_TYPE.test(contentType);
}

/**
 * Reads a Set-Cookie line into its name and attributes. The value is dropped on purpose: it is a
 * credential, and alerts must never store one.
 */
export function parseSetCookie(line: string, now = Date.now()): SetCookie | undefined {
  const parts = line.split(";");
  const pair = parts[0] ?? "";
  const eq = pair.indexOf("=");
  const name = (eq < 0 ? pair : pair.slice(0, eq)).trim();
  if (!name) return undefined;
  const attributes = new Map<string, string>();
  for (const part of parts.slice(1)) {
    const i = part.indexOf("=");
    const key = (i < 0 ? part : part.slice(0, i)).trim().toLowerCase();
    if (key) attributes.set(key, i < 0 ? "" : part.slice(i + 1).trim());
  }
  const maxAge = attributes.get("max-age");
  const expires = attributes.get("expires");
  const deleting =
    (maxAge !== undefined && Number(maxAge) <= 0) ||
    (expires !== undefined && maxAge === undefined && Date.parse(expires) < now);
  return { name: name.slice(0, 200), attributes, deleting };
}

const SESSION_LIKE = /sess|auth|token|jwt|login|remember|(^|[^a-z])sid([^a-z]|$)|^id$/i;

/** Cookies that probably carry a login: their flags matter most (error-level alerts). */
export function isSessionLike(cookieName: string): boolean {
  return SESSION_LIKE.test(cookieName);
}

/** The host name of a Host header without the port, lowercase; brackets of IPv6 kept off. */
export function hostName(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end < 0 ? h : h.slice(1, end);
  }
  const colon = h.indexOf(":");
  return colon < 0 ? h : h.slice(0, colon);
}

/** Whether a host name is this machine (loopback names and addresses). */
export function isLocalHost(name: string | undefined): boolean {
  if (!name) return true;
  return (
    name === "localhost" ||
    name.endsWith(".localhost") ||
    name === "::1" ||
    name === "0.0.0.0" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) ||
    name === "::ffff:127.0.0.1"
  );
}

/** Cuts a string for evidence, marking the cut. */
export function clip(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
