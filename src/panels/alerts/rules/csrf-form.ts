import { findForms, type HtmlForm } from "../forms.js";
import { isSessionLike } from "../inspect.js";
import type { AlertFinding, AlertRule } from "../types.js";

const TOKEN_FIELD = /csrf|xsrf|authenticity|_token|token$|^token|nonce/i;

function hasTokenField(form: HtmlForm): boolean {
  return form.fields.some((name) => TOKEN_FIELD.test(name));
}

/**
 * A form that changes state (POST, PUT, PATCH, DELETE) with no anti-CSRF token field, on a page
 * that does not set a SameSite=Strict session cookie, can be submitted by another site.
 */
export const csrfForm: AlertRule = {
  id: "csrf.form-without-token",
  description:
    "An HTML form with an unsafe method has no CSRF token field and no SameSite=Strict session cookie.",
  check({ ctx, isHtml, setCookies }) {
    const body = ctx.response?.body;
    if (!isHtml || !body || body.encoding !== "utf8") return undefined;
    const strictSession = setCookies.some(
      (c) => isSessionLike(c.name) && c.attributes.get("samesite")?.toLowerCase() === "strict",
    );
    if (strictSession) return undefined;
    const findings: AlertFinding[] = [];
    findForms(body.text).forEach((form, index) => {
      if (form.method === "GET" || form.method === "DIALOG" || hasTokenField(form)) return;
      const cut = form.cut && body.truncated;
      findings.push({
        severity: "warning",
        message: `A ${form.method} form${form.action ? ` to ${form.action}` : ""} has no CSRF token field${cut ? " (as far as the body preview shows)" : ""}: another site can submit it with the user's cookies.`,
        evidence: {
          form: index + 1,
          method: form.method,
          action: form.action ?? null,
          fields: form.fields.join(", ").slice(0, 300) || "(none)",
          sessionCookieSameSiteStrict: false,
          bodyPreviewTruncated: body.truncated,
          ...(cut
            ? {
                note: `the body preview is bounded (${body.text.length} characters kept of ${body.bytes ?? "?"} bytes) and ended inside this form; a token field further down was not seen`,
              }
            : {}),
        },
        fix: "Add a hidden anti-CSRF token field checked on submit (e.g. a csrf-csrf or csrf-sync middleware), or set the session cookie with SameSite=Strict.",
        docs: "https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html",
      });
    });
    return findings;
  },
};
