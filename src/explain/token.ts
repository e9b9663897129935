import { randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The per-session token that state-changing routes (EXPLAIN) require in `X-Glassbox-Token`.
 * One random token per glassbox instance, handed to the toolbar and dashboard by
 * `GET {prefix}/api/session`, which only loopback (or allowed) clients with a local Host reach,
 * and which another site's page cannot read (no CORS). A cross-site form or script therefore
 * cannot forge a request that carries it.
 */
const tokens = new WeakMap<object, string>();

/**
 * The session token of one glassbox instance, created on first use.
 *
 * @example
 * const { token } = await fetch("/__glassbox/api/session").then((r) => r.json());
 * await fetch(url, { method: "POST", headers: { "x-glassbox-token": token } });
 */
export function sessionToken(owner: object): string {
  let token = tokens.get(owner);
  if (token === undefined) {
    token = randomBytes(32).toString("base64url");
    tokens.set(owner, token);
  }
  return token;
}

/**
 * Whether a request's header carries this instance's token; compared in constant time.
 *
 * @example
 * tokenMatches(gb, req.headers["x-glassbox-token"]); // false for a missing or forged token
 */
export function tokenMatches(owner: object, header: string | string[] | undefined): boolean {
  if (typeof header !== "string" || header.length === 0 || header.length > 256) return false;
  const expected = Buffer.from(sessionToken(owner));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
