import type { AlertRule } from "../types.js";

/** Without a Referrer-Policy the page's URL (and any token in it) may leak to other sites. */
export const referrerPolicyMissing: AlertRule = {
  id: "headers.referrer-policy-missing",
  description: "An HTML page has no Referrer-Policy header.",
  check({ isHtml, responseHeader }) {
    if (!isHtml || responseHeader("referrer-policy") !== undefined) return undefined;
    return {
      severity: "info",
      message:
        "The page has no Referrer-Policy: links and requests from it rely on the browser's default for what URL they leak.",
      evidence: { header: "referrer-policy", value: null, appliesTo: "HTML pages" },
      fix: 'Send "Referrer-Policy: strict-origin-when-cross-origin" or "no-referrer" (helmet sends no-referrer).',
      docs: "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Referrer-Policy",
    };
  },
};
