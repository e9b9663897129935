import { definePanel } from "../core/panel.js";
import { redactHeaders } from "../core/redact.js";

export interface HeadersData {
  request: Record<string, string | string[]>;
  response: Record<string, string | string[]>;
}

/** Request and response headers, with credentials and cookie values masked. */
export const headersPanel = definePanel<undefined, HeadersData>({
  id: "headers",
  title: "Headers",
  finish(ctx) {
    const rules = ctx.owner.redact;
    const data: HeadersData = {
      request: ctx.request ? redactHeaders(ctx.request.headers, rules) : {},
      response: ctx.response ? redactHeaders(ctx.response.headers, rules) : {},
    };
    return {
      data,
      summary: `${Object.keys(data.request).length} in, ${Object.keys(data.response).length} out`,
    };
  },
});
