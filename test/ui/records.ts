import { randomUUID } from "node:crypto";
import { type GlassboxRecord, RECORD_SCHEMA } from "../../src/core/record.js";

/** A query as the SQL panel stores it. */
export interface FakeQuery {
  sql: string;
  durationMs: number;
  at?: number;
}

/**
 * A realistic request record for inserting through `gb.store.add`: the same shape the panels
 * produce (request, headers, logging and, when queries are given, sql), with a matching timeline.
 */
export function makeRecord(
  over: Partial<GlassboxRecord> & {
    queries?: FakeQuery[];
    logs?: string[];
    requestHeaders?: Record<string, string>;
    query?: Record<string, string>;
  } = {},
): GlassboxRecord {
  const { queries, logs = [], requestHeaders = {}, query = {}, stats: extraStats, ...fields } = over;
  const id = fields.id ?? randomUUID().replace(/-/g, "").slice(0, 20);
  const method = fields.method ?? "GET";
  const path = fields.path ?? "/orders/1";
  const durationMs = fields.durationMs ?? 20;
  const timeline: GlassboxRecord["timeline"] = [];
  const panels: GlassboxRecord["panels"] = {
    request: {
      title: "Request",
      summary: `${method} ${path}`,
      data: { method, url: path, path, query, httpVersion: "1.1" },
    },
    headers: {
      title: "Headers",
      summary: "in/out",
      data: {
        request: { host: "127.0.0.1", "user-agent": "test", ...requestHeaders },
        response: { "content-type": "application/json" },
      },
    },
    logging: {
      title: "Logs",
      summary: `${logs.length} records`,
      data: {
        records: logs.map((message, i) => ({
          level: "info",
          message,
          source: "console",
          at: 1 + i,
          time: 0,
        })),
        counts: { info: logs.length },
      },
    },
  };
  for (const [i, message] of logs.entries())
    timeline.push({ panel: "logging", label: `info: ${message}`, startMs: 1 + i, durationMs: 0 });
  const stats: Record<string, number> = { durationMs, "log.records": logs.length };
  if (queries) {
    let at = 2;
    const events = queries.map((q, i) => {
      const start = q.at ?? at;
      at = start + q.durationMs + 0.5;
      timeline.push({ panel: "sql", label: q.sql.slice(0, 80), startMs: start, durationMs: q.durationMs });
      return {
        queryId: `${id}-q${i}`,
        system: "postgresql",
        driver: "pg",
        sql: q.sql,
        durationMs: q.durationMs,
        at: start,
      };
    });
    const totalMs = queries.reduce((s, q) => s + q.durationMs, 0);
    panels.sql = {
      title: "SQL",
      summary: `${queries.length} queries in ${totalMs} ms`,
      data: {
        queries: events,
        totalMs,
        duplicates: [],
        similar: [],
        nplusone: [],
        slow: [],
        slowThresholdMs: 100,
      },
    };
    stats["sql.queries"] = queries.length;
    stats["sql.ms"] = totalMs;
  }
  timeline.sort((a, b) => a.startMs - b.startMs);
  return {
    schema: RECORD_SCHEMA,
    id,
    kind: "request",
    service: "dashboard-test",
    traceId: randomUUID().replace(/-/g, ""),
    spanId: randomUUID().replace(/-/g, "").slice(0, 16),
    startedAt: Date.now(),
    durationMs,
    method,
    url: path,
    path,
    route: "/orders/:id",
    status: 200,
    stats: { ...stats, ...extraStats },
    alerts: [],
    timeline,
    serverTiming: [],
    panels,
    ...fields,
  } as GlassboxRecord;
}
