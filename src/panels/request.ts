import type { RequestContext } from "../core/context.js";
import { definePanel } from "../core/panel.js";
import type { BodyPreview } from "../core/record.js";
import { isSecretKey, type RedactRules, redactText, redactUrl, redactValue } from "../core/redact.js";

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
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? "" : decode(part.slice(eq + 1));
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

/** A body preview with secrets masked: parsed JSON when whole, pattern-masked text otherwise. */
export function redactBody(body: BodyPreview, rules: RedactRules): BodyPreview {
  if (body.encoding !== "utf8") return body;
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
