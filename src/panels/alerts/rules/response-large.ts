import type { AlertRule } from "../types.js";

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** A response body over `thresholds.responseBytes`. */
export const responseLarge: AlertRule = {
  id: "response.large",
  description: "The response body is larger than thresholds.responseBytes (default 1 MiB).",
  check({ responseBytes, thresholds, responseHeader }) {
    if (responseBytes === undefined || responseBytes <= thresholds.responseBytes) return undefined;
    return {
      severity: "warning",
      message: `The response body is ${kib(responseBytes)}, over the ${kib(thresholds.responseBytes)} threshold.`,
      evidence: {
        bytes: responseBytes,
        threshold: thresholds.responseBytes,
        contentType: responseHeader("content-type") ?? null,
        contentEncoding: responseHeader("content-encoding") ?? null,
      },
      fix: "Paginate or trim the payload, and compress text responses (compression middleware).",
      docs: "https://developer.mozilla.org/en-US/docs/Web/HTTP/Compression",
    };
  },
};
