import { definePanel } from "../core/panel.js";
import { redactHeaders } from "../core/redact.js";
import { type ViewNode, view } from "../core/view.js";

export interface HeadersData {
  request: Record<string, string | string[]>;
  response: Record<string, string | string[]>;
}

/** Request and response headers, with credentials and cookie values masked. */
export const headersPanel = definePanel<undefined, HeadersData>({
  id: "headers",
  title: "Headers",
  view: headersView,
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

const headerRows = (headers: Record<string, string | string[]>) =>
  Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join("\n") : value]);

function headersView(data: HeadersData): ViewNode[] {
  return [
    view.section("Request headers", [view.table(["Name", "Value"], headerRows(data.request))]),
    view.section("Response headers", [view.table(["Name", "Value"], headerRows(data.response))]),
  ];
}
