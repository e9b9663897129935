import type { AlertRule } from "../types.js";

/** Without `X-Content-Type-Options: nosniff` a browser may guess a response is a script or a page. */
export const nosniffMissing: AlertRule = {
  id: "headers.nosniff-missing",
  description: "A response with a body has no X-Content-Type-Options: nosniff.",
  check({ ctx, responseHeader, responseBytes }) {
    const status = ctx.response?.status;
    if (!responseBytes || status === 204 || status === 304) return undefined;
    const value = responseHeader("x-content-type-options");
    if (value?.trim().toLowerCase() === "nosniff") return undefined;
    return {
      severity: "warning",
      message:
        value === undefined
          ? "The response has no X-Content-Type-Options header: browsers may sniff it as another content type."
          : `X-Content-Type-Options is "${value.slice(0, 50)}", which browsers ignore; only "nosniff" counts.`,
      evidence: {
        header: "x-content-type-options",
        value: value ?? null,
        contentType: responseHeader("content-type") ?? null,
        appliesTo: "every response with a body",
      },
      fix: 'Send "X-Content-Type-Options: nosniff" on every response (helmet does).',
      docs: "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Content-Type-Options",
    };
  },
};
