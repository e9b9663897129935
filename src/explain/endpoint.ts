import type { OwnRequest, OwnResponse } from "../server/response.js";
import { json } from "../server/response.js";
import { type ExplainHost, explainRecordedQuery } from "./explain-query.js";
import { ExplainFailure } from "./failure.js";
import { sessionToken, tokenMatches } from "./token.js";

const EXPLAIN_PATH = /^\/api\/requests\/([\w-]{1,64})\/queries\/([\w-]{1,64})\/explain$/;
const MAX_BODY = 1024;

/**
 * glassbox's EXPLAIN routes, under the prefix (the caller has already checked the client and
 * the origin): `GET /api/session` hands out the session token, and
 * `POST /api/requests/:id/queries/:queryId/explain` plans a recorded query. Returns undefined
 * for any other path.
 *
 * @example
 * const response = await serveExplainRoutes(gb, req, "/api/requests/abc/queries/q1-2/explain");
 */
export async function serveExplainRoutes(
  host: ExplainHost,
  req: OwnRequest,
  sub: string,
): Promise<OwnResponse | undefined> {
  if (sub === "/api/session" && (req.method === "GET" || req.method === "HEAD"))
    return json(200, { token: sessionToken(host) });
  const match = EXPLAIN_PATH.exec(sub);
  if (!match) return undefined;
  if (req.method !== "POST") {
    const response = json(405, { error: "use POST to run EXPLAIN", code: "GBX_EXPLAIN_BAD_REQUEST" });
    response.headers.allow = "POST";
    return response;
  }
  try {
    if (!tokenMatches(host, req.headers["x-glassbox-token"]))
      throw new ExplainFailure(
        "GBX_EXPLAIN_TOKEN",
        "missing or wrong X-Glassbox-Token header: get the token from GET {prefix}/api/session",
      );
    const { analyze } = await readOptions(req);
    const result = await explainRecordedQuery(host, match[1]!, match[2]!, { analyze });
    return json(200, result);
  } catch (error) {
    if (error instanceof ExplainFailure)
      return json(error.status, { error: error.message, code: error.code });
    return json(500, {
      error: `EXPLAIN failed: ${(error as Error)?.message ?? error}`,
      code: "GBX_EXPLAIN_FAILED",
    });
  }
}

/** The body is optional; when present it is `{ "analyze": boolean }` and nothing else. */
async function readOptions(req: OwnRequest): Promise<{ analyze: boolean }> {
  let text = "";
  try {
    text = req.readBody ? await req.readBody() : "";
  } catch (error) {
    throw new ExplainFailure(
      "GBX_EXPLAIN_BAD_REQUEST",
      `could not read the body: ${(error as Error).message}`,
    );
  }
  if (text.length > MAX_BODY)
    throw new ExplainFailure(
      "GBX_EXPLAIN_BAD_REQUEST",
      `the body is over ${MAX_BODY} bytes; send {} or { "analyze": true }`,
    );
  if (text.trim() === "") return { analyze: false };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ExplainFailure(
      "GBX_EXPLAIN_BAD_REQUEST",
      'the body is not valid JSON; send {} or { "analyze": true }',
    );
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new ExplainFailure(
      "GBX_EXPLAIN_BAD_REQUEST",
      'the body must be a JSON object: {} or { "analyze": true }',
    );
  const extra = Object.keys(body).filter((k) => k !== "analyze");
  if (extra.length)
    throw new ExplainFailure(
      "GBX_EXPLAIN_BAD_REQUEST",
      `unknown field ${extra.map((k) => JSON.stringify(k.slice(0, 40))).join(", ")}: EXPLAIN takes only { "analyze": boolean }, and plans only SQL glassbox recorded, never SQL sent by a client`,
    );
  const analyze = (body as { analyze?: unknown }).analyze;
  if (analyze !== undefined && typeof analyze !== "boolean")
    throw new ExplainFailure("GBX_EXPLAIN_BAD_REQUEST", '"analyze" must be true or false');
  return { analyze: analyze === true };
}
