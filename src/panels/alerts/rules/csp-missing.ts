import type { AlertRule } from "../types.js";

/** HTML pages without a Content-Security-Policy: nothing limits what an injected script may do. */
export const cspMissing: AlertRule = {
  id: "headers.csp-missing",
  description: "An HTML page has no Content-Security-Policy header.",
  check({ isHtml, responseHeader }) {
    if (!isHtml || responseHeader("content-security-policy") !== undefined) return undefined;
    const reportOnly = responseHeader("content-security-policy-report-only");
    return {
      severity: "warning",
      message: reportOnly
        ? "The page sends only Content-Security-Policy-Report-Only: violations are reported, not blocked."
        : "The page has no Content-Security-Policy: an injected script could run with the page's rights.",
      evidence: {
        header: "content-security-policy",
        value: null,
        reportOnly: reportOnly !== undefined,
        appliesTo: "HTML pages",
      },
      fix: "Send a Content-Security-Policy header, e.g. \"default-src 'self'\" (helmet sets one), and tighten it from there.",
      docs: "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Content-Security-Policy",
    };
  },
};
