import { decodeQueryComponent } from "./decode.js";
/**
 * Masks secrets before anything is stored or served. Applied to every snapshot at record time,
 * so the store, the API, exports and MCP only ever see masked values.
 */

export interface RedactRules {
  /** Header names (lowercase) always masked. */
  headers: ReadonlySet<string>;
  /** Keys whose values are masked wherever they appear. */
  keys: RegExp;
  replacement: string;
}

const ALWAYS_MASKED_HEADERS = ["authorization", "proxy-authorization", "x-api-key", "x-auth-token"];

export function makeRedactRules(options: {
  headers: readonly string[];
  keys: RegExp;
  replacement: string;
}): RedactRules {
  const headers = new Set([...ALWAYS_MASKED_HEADERS, ...options.headers.map((h) => h.toLowerCase())]);
  // A global or sticky RegExp keeps lastIndex between test() calls: use a plain copy.
  const keys = new RegExp(options.keys.source, options.keys.flags.replace(/[gy]/g, ""));
  return { headers, keys, replacement: options.replacement };
}

export function isSecretKey(key: string, rules: RedactRules): boolean {
  return rules.keys.test(key);
}

type HeaderValue = string | string[] | number | undefined;

/** Masks header values: whole values for credentials, only the values of cookies (names stay). */
export function redactHeaders<T extends HeaderValue>(
  headers: Readonly<Record<string, T>>,
  rules: RedactRules,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (lower === "cookie") out[name] = mapValue(value, (v) => redactCookieHeader(v, rules));
    else if (lower === "set-cookie") out[name] = mapValue(value, (v) => redactSetCookie(v, rules));
    else if (rules.headers.has(lower) || rules.keys.test(lower))
      out[name] = mapValue(value, () => rules.replacement);
    else out[name] = mapValue(value, (v) => v);
  }
  return out;
}

function mapValue(value: string | string[] | number, fn: (v: string) => string): string | string[] {
  return Array.isArray(value) ? value.map((v) => fn(String(v))) : fn(String(value));
}

/** `a=1; sid=xyz` → `a=[redacted]; sid=[redacted]`: names help debugging, values are credentials. */
export function redactCookieHeader(value: string, rules: RedactRules): string {
  return value
    .split(";")
    .map((part) => {
      const eq = part.indexOf("=");
      return eq < 0 ? part : `${part.slice(0, eq)}=${rules.replacement}`;
    })
    .join(";");
}

/** `sid=xyz; Path=/; HttpOnly` → `sid=[redacted]; Path=/; HttpOnly`: attributes stay for the alerts panel. */
export function redactSetCookie(value: string, rules: RedactRules): string {
  const semi = value.indexOf(";");
  const pair = semi < 0 ? value : value.slice(0, semi);
  const rest = semi < 0 ? "" : value.slice(semi);
  const eq = pair.indexOf("=");
  return eq < 0 ? value : `${pair.slice(0, eq)}=${rules.replacement}${rest}`;
}

/** Masks secret-named query parameters in a URL or path, leaving the rest byte for byte. */
export function redactUrl(url: string, rules: RedactRules): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  return `${url.slice(0, q)}?${redactQueryString(url.slice(q + 1), rules)}`;
}

export function redactQueryString(query: string, rules: RedactRules): string {
  return query
    .split("&")
    .map((part) => {
      const eq = part.indexOf("=");
      if (eq < 0) return part;
      return isSecretKey(decodeQueryComponent(part.slice(0, eq)), rules)
        ? `${part.slice(0, eq)}=${rules.replacement}`
        : part;
    })
    .join("&");
}

const MAX_DEPTH = 20;

/** Deep copy of a JSON-like value with secret-named keys masked. Cycles and depth are bounded. */
export function redactValue(
  value: unknown,
  rules: RedactRules,
  depth = 0,
  seen = new WeakSet<object>(),
): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth > MAX_DEPTH) return "[depth limit]";
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, rules, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      rules.keys.test(k) && v !== null && v !== undefined
        ? rules.replacement
        : redactValue(v, rules, depth + 1, seen);
  }
  return out;
}

/**
 * Masks secrets inside body text whatever its format, including truncated bodies that no parser
 * accepts: JSON `"key": value`, form `key=value` and multipart `name="key"` fields.
 */
export function redactText(text: string, rules: RedactRules): string {
  const r = rules.replacement;
  const test = (k: string) => rules.keys.test(k);
  return (
    text
      // JSON: "password": "x" | 123 | true, also with escaped quotes inside the string.
      .replace(
        /"((?:[^"\\]|\\.){1,200})"(\s*:\s*)("(?:[^"\\]|\\.)*"?|-?[\d.eE+-]+|true|false)/g,
        (m, k: string, sep: string) => (test(k) ? `"${k}"${sep}"${r}"` : m),
      )
      // application/x-www-form-urlencoded and query-like text.
      .replace(/(^|[&?\s])([^=&?\s]{1,200})=([^&\s]*)/g, (m, pre: string, k: string) =>
        test(decodeQueryComponent(k)) ? `${pre}${k}=${r}` : m,
      )
      // multipart/form-data fields.
      .replace(
        /(name="([^"]{1,200})"[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n)([^\r\n]*)/g,
        (m, head: string, k: string) => (test(k) ? `${head}${r}` : m),
      )
  );
}
