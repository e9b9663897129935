import type { RequestContext } from "../core/context.js";
import { decodeQueryComponent } from "../core/decode.js";
import { definePanel } from "../core/panel.js";
import type { BodyPreview } from "../core/record.js";
import { isSecretKey, type RedactRules, redactText, redactUrl, redactValue } from "../core/redact.js";
import { type ViewNode, view } from "../core/view.js";

export interface RequestData {
  method: string;
  url: string;
  path: string;
  query: Record<string, string | string[]>;
  route?: string;
  params?: Record<string, string>;
  httpVersion: string;
  clientIp?: string;
  remoteAddress?: string;
  body?: BodyPreview;
}

/** Parses a query string leniently: malformed escapes are kept as written, never thrown. */
export function parseQuery(url: string): Record<string, string | string[]> {
  const q = url.indexOf("?");
  const out: Record<string, string | string[]> = {};
  if (q < 0) return out;
  for (const part of url.slice(q + 1).split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const key = decodeQueryComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? "" : decodeQueryComponent(part.slice(eq + 1));
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/** A body preview with secrets masked: parsed JSON when whole, pattern-masked text otherwise. */
export function redactBody(body: BodyPreview, rules: RedactRules): BodyPreview {
  if (body.encoding !== "utf8") return body;
  // Most bodies name no secret at all: one scan instead of a parse and a copy. Escaped text
  // (\u0070assword, pass%77ord) could hide a key from the scan, so it takes the full path.
  if (!rules.keys.test(body.text) && !body.text.includes("\\u") && !body.text.includes("%")) return body;
  if (!body.truncated && body.contentType && /json/i.test(body.contentType)) {
    try {
      return { ...body, text: JSON.stringify(redactValue(JSON.parse(body.text), rules)) };
    } catch {
      // Not valid JSON after all: fall through to the text rules.
    }
  }
  return { ...body, text: redactText(body.text, rules) };
}

function redactParams(params: Record<string, string>, rules: RedactRules): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) out[k] = isSecretKey(k, rules) ? rules.replacement : v;
  return out;
}

export function requestData(ctx: RequestContext): RequestData | undefined {
  const req = ctx.request;
  if (!req) return undefined;
  const rules = ctx.owner.redact;
  const data: RequestData = {
    method: req.method,
    url: redactUrl(req.url, rules),
    path: req.path,
    query: redactValue(parseQuery(req.url), rules) as Record<string, string | string[]>,
    httpVersion: req.httpVersion,
  };
  if (ctx.route) data.route = ctx.route;
  if (ctx.params) data.params = redactParams(ctx.params, rules);
  if (req.clientIp) data.clientIp = req.clientIp;
  if (req.remoteAddress) data.remoteAddress = req.remoteAddress;
  if (req.body) data.body = redactBody(req.body, rules);
  return data;
}

/** Method, URL, route, params, query and a bounded, masked body preview. */
export const requestPanel = definePanel<undefined, RequestData>({
  id: "request",
  title: "Request",
  view: requestView,
  finish(ctx) {
    const data = requestData(ctx);
    if (!data) return undefined;
    return {
      data,
      summary: `${data.method} ${data.route ?? data.path}`,
      stats: { "request.bytes": data.body?.bytes ?? 0 },
    };
  },
});

/** How a stored body preview is shown: code in its language, with its size and truncation marked. */
export function bodyView(title: string, body: BodyPreview): ViewNode {
  const language =
    body.encoding === "base64"
      ? "text"
      : /json/i.test(body.contentType ?? "")
        ? "json"
        : /html/i.test(body.contentType ?? "")
          ? "html"
          : "text";
  const facts = [
    body.contentType,
    body.bytes !== undefined ? `${body.bytes} bytes` : undefined,
    body.encoding === "base64" ? "binary, shown as base64" : undefined,
  ]
    .filter(Boolean)
    .join(" · ");
  return view.section(title, [
    ...(facts ? [view.text(facts, "muted")] : []),
    view.code(language, body.text, body.truncated),
  ]);
}

function requestView(data: RequestData): ViewNode[] {
  const entries: Array<[string, string]> = [
    ["Method", data.method],
    ["URL", data.url],
    ["Path", data.path],
  ];
  if (data.route) entries.push(["Route", data.route]);
  entries.push(["HTTP version", data.httpVersion]);
  if (data.clientIp) entries.push(["Client IP", data.clientIp]);
  if (data.remoteAddress && data.remoteAddress !== data.clientIp)
    entries.push(["Remote address", data.remoteAddress]);
  const nodes: ViewNode[] = [view.kv(entries)];
  if (data.params && Object.keys(data.params).length)
    nodes.push(view.section("Route parameters", [view.kv(data.params)]));
  const query = Object.entries(data.query);
  if (query.length)
    nodes.push(
      view.section("Query", [
        view.table(
          ["Name", "Value"],
          query.map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]),
        ),
      ]),
    );
  if (data.body) nodes.push(bodyView("Body", data.body));
  return nodes;
}
