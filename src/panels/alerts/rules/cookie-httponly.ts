import { cookieFindings } from "../cookie-findings.js";
import type { AlertRule } from "../types.js";

/** A cookie without HttpOnly can be read by any script on the page, including an injected one. */
export const cookieHttpOnly: AlertRule = {
  id: "cookies.httponly-missing",
  description: "A cookie is set without HttpOnly (error for session-like names).",
  check: (input) =>
    cookieFindings(input, "httponly", (cookie, sessionLike) =>
      cookie.attributes.has("httponly")
        ? undefined
        : {
            severity: sessionLike ? "error" : "info",
            message: `Cookie "${cookie.name}" is set without HttpOnly: page scripts (and XSS) can read it.`,
            fix: sessionLike
              ? "Set HttpOnly on session cookies, e.g. res.cookie(name, value, { httpOnly: true })."
              : "Set HttpOnly unless your client-side code has to read this cookie.",
          },
    ),
};
