import { cookieFindings } from "../cookie-findings.js";
import type { AlertRule } from "../types.js";

/** A cookie without Secure is sent over plain HTTP, where anyone on the path can read it. */
export const cookieSecure: AlertRule = {
  id: "cookies.secure-missing",
  description: "A cookie is set without Secure (error for session-like names and SameSite=None).",
  check: (input) =>
    cookieFindings(input, "secure", (cookie, sessionLike) => {
      if (cookie.attributes.has("secure")) return undefined;
      const sameSiteNone = cookie.attributes.get("samesite")?.toLowerCase() === "none";
      return {
        severity: sessionLike || sameSiteNone ? "error" : "warning",
        message: sameSiteNone
          ? `Cookie "${cookie.name}" has SameSite=None without Secure: browsers reject it.`
          : `Cookie "${cookie.name}" is set without Secure: it also travels over plain HTTP.`,
        fix: "Set Secure (res.cookie(name, value, { secure: true })); browsers accept Secure cookies on http://localhost too.",
      };
    }),
};
