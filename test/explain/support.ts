import type { GlassboxOptions } from "../../src/core/config.js";
import type { GlassboxRecord } from "../../src/core/record.js";
import type { ExplainResult } from "../../src/explain/explain-query.js";
import type { SqlEvent } from "../../src/instrument/sql-event.js";
import { queriesOf, type SqlApp, startApp } from "../sql/support.js";

export interface ExplainApp extends SqlApp {
  token: string;
  /** POSTs to the EXPLAIN endpoint with the session token (unless headers say otherwise). */
  explain(
    recordId: string,
    queryId: string,
    init?: { body?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; json: ExplainResult & { error?: string; code?: string } }>;
  /** GETs a route and returns the recorded query whose SQL matches. */
  recorded(path: string, sql: RegExp): Promise<{ record: GlassboxRecord; query: SqlEvent }>;
}

type Routes = Parameters<typeof startApp>[0];

/**
 * A `route(path, run)` helper for an Express app: GET `path` awaits `run()` (a query) and answers
 * `{ ok: true }`, handing a driver error to Express.
 */
export function queryRoutes(app: Parameters<Routes>[0]) {
  return (path: string, run: () => Promise<unknown>) =>
    app.get(path, async (_req, res, next) => {
      try {
        await run();
        res.json({ ok: true });
      } catch (error) {
        next(error);
      }
    });
}

/** A real Express app with glassbox (EXPLAIN configured) and the session token already fetched. */
export async function startExplainApp(
  routes: Parameters<typeof startApp>[0],
  options: GlassboxOptions,
): Promise<ExplainApp> {
  const app = await startApp(routes, options);
  const session = await fetch(`${app.running.url}/__glassbox/api/session`);
  const { token } = (await session.json()) as { token: string };
  return {
    ...app,
    token,
    async explain(recordId, queryId, init = {}) {
      const res = await fetch(
        `${app.running.url}/__glassbox/api/requests/${recordId}/queries/${queryId}/explain`,
        {
          method: "POST",
          headers: { "content-type": "application/json", "x-glassbox-token": token, ...init.headers },
          body: init.body ?? "{}",
        },
      );
      const text = await res.text();
      let json: ExplainResult & { error?: string; code?: string };
      try {
        json = JSON.parse(text);
      } catch {
        json = { error: text } as ExplainResult & { error: string };
      }
      return { status: res.status, json };
    },
    async recorded(path, sql) {
      const { record } = await app.get(path);
      const query = queriesOf(record).find((q) => sql.test(q.sql));
      if (!query)
        throw new Error(`no query matching ${sql} in ${JSON.stringify(queriesOf(record).map((q) => q.sql))}`);
      return { record, query };
    },
  };
}
