import type { AlertRule } from "../types.js";

/** A site served over HTTPS without HSTS can be downgraded to HTTP on the first visit. */
export const hstsMissing: AlertRule = {
  id: "headers.hsts-missing",
  description: "An HTML page served over HTTPS has no Strict-Transport-Security header.",
  check({ isHtml, isHttps, responseHeader }) {
    if (!isHtml || !isHttps) return undefined;
    const value = responseHeader("strict-transport-security");
    const maxAge = value === undefined ? undefined : /max-age\s*=\s*"?(\d+)/i.exec(value)?.[1];
    if (maxAge !== undefined && Number(maxAge) > 0) return undefined;
    return {
      severity: "warning",
      message:
        value === undefined
          ? "The page came over HTTPS but sends no Strict-Transport-Security: a first visit can be downgraded to HTTP."
          : "Strict-Transport-Security has no positive max-age, so browsers do not remember to use HTTPS.",
      evidence: {
        header: "strict-transport-security",
        value: value ?? null,
        appliesTo: "HTML pages over HTTPS",
      },
      fix: 'Send "Strict-Transport-Security: max-age=31536000; includeSubDomains" on HTTPS responses (helmet does).',
      docs: "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Strict-Transport-Security",
    };
  },
};
