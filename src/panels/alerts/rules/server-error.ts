import { clip } from "../inspect.js";
import type { AlertRule } from "../types.js";

/** A 5xx response, with the error the handler threw when glassbox saw one. */
export const serverError: AlertRule = {
  id: "server.error",
  description: "The response status is 5xx.",
  check({ ctx }) {
    const status = ctx.response?.status;
    if (status === undefined || status < 500) return undefined;
    const error = ctx.error;
    return {
      severity: "error",
      message: error
        ? `${status} response: ${error.name}: ${clip(error.message, 300)}`
        : `${status} response (no thrown error was seen; the handler set the status itself).`,
      evidence: {
        status,
        error: error ? error.name : null,
        message: error ? clip(error.message, 300) : null,
        at: error?.stack?.split("\n")[1]?.trim().slice(0, 300) ?? null,
      },
      fix: "Open the Response panel for the stack; handle the failure or return a 4xx when the client is at fault.",
      docs: "https://developer.mozilla.org/en-US/docs/Web/HTTP/Status#server_error_responses",
    };
  },
};
