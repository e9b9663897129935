import type { Glassbox } from "../core/glassbox.js";
import { sameOriginOrNonBrowser } from "../core/guard.js";
import { serveExplainRoutes } from "../explain/index.js";
import { uiAsset } from "./assets.js";
import { routeBaseline } from "./compare.js";
import { dashboardPage } from "./dashboard-page.js";
import { BadRequest, parseListQuery } from "./list-query.js";
import { json, type OwnRequest, type OwnResponse, text } from "./response.js";
import { streamRecords } from "./stream.js";
import { trendsFor } from "./trends.js";
import { serveRecordViews } from "./views.js";

/**
 * Answers glassbox's own routes under the prefix. Returns undefined when the client may not
 * see glassbox: the adapter then passes the request on to the app, which answers 404 as if
 * glassbox were absent.
 */
export async function handleOwnRoute(gb: Glassbox, req: OwnRequest): Promise<OwnResponse | undefined> {
  const host = typeof req.headers.host === "string" ? req.headers.host : undefined;
  if (!gb.isVisibleTo(req.clientIp, host)) return undefined;
  if (
    !sameOriginOrNonBrowser(req.method, {
      origin: req.headers.origin,
      host,
      "sec-fetch-site": req.headers["sec-fetch-site"],
    })
  ) {
    return undefined;
  }
  const url = new URL(req.url, "http://glassbox.invalid");
  const sub = url.pathname.slice(gb.prefix.length) || "/";
  try {
    return (
      (await route(gb, req, sub, url.searchParams)) ??
      json(404, { error: `no glassbox route ${req.method} ${sub}` })
    );
  } catch (error) {
    if (error instanceof BadRequest) return json(400, { error: error.message });
    return json(500, { error: `glassbox failed to answer: ${(error as Error).message}` });
  }
}

async function route(
  gb: Glassbox,
  req: OwnRequest,
  sub: string,
  params: URLSearchParams,
): Promise<OwnResponse | undefined> {
  const get = req.method === "GET" || req.method === "HEAD";
  const explain = await serveExplainRoutes(gb, req, sub);
  if (explain) return explain;
  if (get && (sub === "/" || sub === ""))
    return text(200, dashboardPage(gb.prefix), "text/html; charset=utf-8", DASHBOARD_CSP);
  if (get && sub === "/api/requests") {
    const page = await gb.store.list(parseListQuery(params));
    return json(200, { requests: page.records, total: page.total });
  }
  if (get && sub.endsWith("/views")) return serveRecordViews(gb, sub);
  if (get && sub.startsWith("/api/requests/")) {
    // Ids are [\w-] only, so nothing needs decoding (and a broken escape must not throw).
    const id = sub.slice("/api/requests/".length);
    const record = /^[\w-]{1,64}$/.test(id) ? await gb.store.get(id) : undefined;
    return record
      ? json(200, record)
      : json(404, { error: `no record with id ${JSON.stringify(id.slice(0, 64))}` });
  }
  if (get && sub === "/api/stream") return streamRecords(gb);
  if (get && sub === "/api/trends") return json(200, await trendsFor(gb.store, params));
  if (get && sub === "/api/baseline") return json(200, await routeBaseline(gb.store, params));
  if (get && sub === "/api/health")
    return json(200, {
      ok: true,
      service: gb.config.service,
      store: await gb.store.health(),
      recording: gb.recordingStats(),
    });
  if (get && /^\/[\w.-]+\.(js|css|map|svg|png)$/.test(sub)) {
    const asset = uiAsset(sub.slice(1));
    if (asset) return text(200, asset.body, asset.type, { "cache-control": "no-cache" });
    if (/^\/(toolbar|dashboard)\.(js|css)$/.test(sub)) {
      // A checkout of glassbox itself, not built yet: say so instead of a silent blank page.
      const help = `glassbox's UI is not built (${sub.slice(1)} is missing): run "npm run build:ui" in the glassbox folder.`;
      gb.warner.warn("GBXW009", help);
      return text(
        404,
        `/* ${help} */`,
        sub.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
      );
    }
  }
  return undefined;
}

const DASHBOARD_CSP = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'",
};
