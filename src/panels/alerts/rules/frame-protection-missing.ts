import type { AlertRule } from "../types.js";

const FRAME_ANCESTORS = /(^|;)\s*frame-ancestors\s/i;
const XFO_VALUES = new Set(["deny", "sameorigin"]);

/** An HTML page any site can put in a frame can be clickjacked. */
export const frameProtectionMissing: AlertRule = {
  id: "headers.frame-protection-missing",
  description: "An HTML page has neither X-Frame-Options nor a CSP frame-ancestors directive.",
  check({ isHtml, responseHeader }) {
    if (!isHtml) return undefined;
    const csp = responseHeader("content-security-policy");
    if (csp !== undefined && FRAME_ANCESTORS.test(csp)) return undefined;
    const xfo = responseHeader("x-frame-options");
    if (xfo !== undefined && XFO_VALUES.has(xfo.trim().toLowerCase())) return undefined;
    return {
      severity: "warning",
      message:
        xfo === undefined
          ? "Any site can show this page in a frame (no X-Frame-Options, no CSP frame-ancestors): clickjacking."
          : `X-Frame-Options "${xfo.slice(0, 50)}" is not DENY or SAMEORIGIN, so browsers ignore it.`,
      evidence: {
        header: "x-frame-options",
        value: xfo ?? null,
        cspFrameAncestors: false,
        appliesTo: "HTML pages",
      },
      fix: "Add \"frame-ancestors 'self'\" (or 'none') to the Content-Security-Policy, or send X-Frame-Options: SAMEORIGIN.",
      docs: "https://cheatsheetseries.owasp.org/cheatsheets/Clickjacking_Defense_Cheat_Sheet.html",
    };
  },
};
