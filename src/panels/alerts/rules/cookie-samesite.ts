import { cookieFindings } from "../cookie-findings.js";
import type { AlertRule } from "../types.js";

const VALID = new Set(["strict", "lax", "none"]);

/** Without an explicit SameSite a cookie's cross-site behaviour depends on the browser. */
export const cookieSameSite: AlertRule = {
  id: "cookies.samesite-missing",
  description: "A cookie is set without a valid SameSite attribute (error for session-like names).",
  check: (input) =>
    cookieFindings(input, "samesite", (cookie, sessionLike) => {
      const value = cookie.attributes.get("samesite");
      if (value !== undefined && VALID.has(value.toLowerCase())) return undefined;
      return {
        severity: sessionLike ? "error" : "warning",
        message:
          value === undefined
            ? `Cookie "${cookie.name}" has no SameSite attribute: cross-site requests may carry it (CSRF).`
            : `Cookie "${cookie.name}" has SameSite="${value.slice(0, 20)}", which is not Strict, Lax or None.`,
        fix: 'Set SameSite=Lax (or Strict for session cookies): res.cookie(name, value, { sameSite: "lax" }).',
      };
    }),
};
