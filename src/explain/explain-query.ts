import { performance } from "node:perf_hooks";
import type { GlassboxConfig } from "../core/config.js";
import type { GlassboxRecord } from "../core/record.js";
import type { ViewNode } from "../core/view.js";
import type { SqlEvent, SqlSystem } from "../instrument/sql-event.js";
import type { SqlPanelData } from "../panels/sql/types.js";
import { ExplainFailure } from "./failure.js";
import { type PlanHint, planHints } from "./hints.js";
import { type PlanNode, planText } from "./plan.js";
import { isReadOnlySql } from "./read-only.js";
import { mysqlRunner } from "./runners/mysql.js";
import { pgRunner } from "./runners/pg.js";
import type { Runner } from "./runners/runner.js";
import { sqliteRunner } from "./runners/sqlite.js";
import { explainView } from "./view.js";

/** What EXPLAIN needs from the running glassbox. */
export interface ExplainHost {
  readonly config: GlassboxConfig;
  readonly instanceId: string;
  readonly store: { get(id: string): Promise<GlassboxRecord | undefined> };
}

/** The answer of the EXPLAIN endpoint. */
export interface ExplainResult {
  recordId: string;
  queryId: string;
  system: SqlSystem;
  sql: string;
  params?: unknown[] | Record<string, unknown>;
  analyze: boolean;
  /** The plan as a tree (one shape for every database). */
  plan: PlanNode;
  /** The plan as indented text. */
  text: string;
  hints: PlanHint[];
  planningMs?: number;
  executionMs?: number;
  /** Wall time of the whole EXPLAIN, connection included. */
  tookMs: number;
  /** Things the reader should know (masked parameters, ANALYZE rolled back). */
  notes: string[];
  /** The result as view nodes, for the toolbar and dashboard. */
  view: ViewNode[];
}

const SYSTEM_NAMES: Record<SqlSystem, string> = {
  postgresql: "PostgreSQL",
  mysql: "MySQL/MariaDB",
  sqlite: "SQLite",
};
const CONFIG_KEYS: Record<SqlSystem, "postgres" | "mysql" | "sqlite"> = {
  postgresql: "postgres",
  mysql: "mysql",
  sqlite: "sqlite",
};

/**
 * Plans a query glassbox recorded, found by record id and query id (never by SQL text from a
 * client). Refuses, with an ExplainFailure saying why: an unknown record or query, a query
 * recorded by another glassbox instance or process, SQL or parameters cut when recorded,
 * anything but a single read-only SELECT, ANALYZE unless enabled (PostgreSQL only), and a
 * database with no EXPLAIN connection configured.
 *
 * @example
 * const result = await explainRecordedQuery(gb, recordId, queryId, { analyze: false });
 * console.log(result.text, result.hints);
 */
export async function explainRecordedQuery(
  host: ExplainHost,
  recordId: string,
  queryId: string,
  options: { analyze: boolean },
): Promise<ExplainResult> {
  const query = await findQuery(host, recordId, queryId);
  const settings = host.config.explain;
  const name = SYSTEM_NAMES[query.system] ?? query.system;
  if (query.truncated)
    throw new ExplainFailure(
      "GBX_EXPLAIN_INCOMPLETE",
      "this query's SQL or parameters were cut when recorded (sql.maxSqlLength and the parameter limits), so it cannot be replayed",
    );
  const verdict = isReadOnlySql(query.sql, query.system);
  if (!verdict.ok)
    throw new ExplainFailure(
      "GBX_EXPLAIN_NOT_READ_ONLY",
      `EXPLAIN runs only single read-only SELECT statements, and this query is not one: ${verdict.reason}`,
    );
  if (options.analyze && query.system !== "postgresql")
    throw new ExplainFailure(
      "GBX_EXPLAIN_ANALYZE_OFF",
      `EXPLAIN ANALYZE is offered for PostgreSQL only, not ${name}`,
    );
  if (options.analyze && !settings.analyze)
    throw new ExplainFailure(
      "GBX_EXPLAIN_ANALYZE_OFF",
      "EXPLAIN ANALYZE runs the query; enable it with the explain.analyze option",
    );
  const connection = settings[CONFIG_KEYS[query.system]];
  if (!connection)
    throw new ExplainFailure(
      "GBX_EXPLAIN_NOT_CONFIGURED",
      `no EXPLAIN connection for ${name}: pass explain.${CONFIG_KEYS[query.system]} to glassbox()`,
    );
  const runner = runnerFor(query.system, connection.target);
  const masked = hasMasked(query.params, host.config.redact.replacement);
  const began = performance.now();
  let plan: Awaited<ReturnType<Runner>>;
  try {
    plan = await runner({
      sql: query.sql,
      ...(query.params !== undefined ? { params: query.params } : {}),
      analyze: options.analyze,
      timeoutMs: settings.statementTimeoutMs,
    });
  } catch (error) {
    if (error instanceof ExplainFailure && error.code === "GBX_EXPLAIN_FAILED" && masked)
      throw new ExplainFailure(
        "GBX_EXPLAIN_FAILED",
        `${error.message}. Some of this query's parameters were masked when recorded (they looked secret), so the plan was made with "${host.config.redact.replacement}" in their place and may not be possible.`,
      );
    throw error;
  }
  const tookMs = Math.round((performance.now() - began) * 1000) / 1000;
  const notes: string[] = [];
  if (masked)
    notes.push(
      `Some parameters were masked when recorded; "${host.config.redact.replacement}" stood in for them, so the plan may differ from the app's.`,
    );
  if (options.analyze)
    notes.push("EXPLAIN ANALYZE ran the query inside a read-only transaction that was rolled back.");
  const hints = planHints(plan, query.sql, query.system, settings.scanRowsThreshold);
  const result: Omit<ExplainResult, "view"> = {
    recordId,
    queryId,
    system: query.system,
    sql: query.sql,
    ...(query.params !== undefined ? { params: query.params } : {}),
    analyze: options.analyze,
    plan: plan.root,
    text: planText(plan.root),
    hints,
    ...(plan.planningMs !== undefined ? { planningMs: plan.planningMs } : {}),
    ...(plan.executionMs !== undefined ? { executionMs: plan.executionMs } : {}),
    tookMs,
    notes,
  };
  return { ...result, view: explainView(result) };
}

/** The recorded query, if this glassbox instance recorded it. */
async function findQuery(host: ExplainHost, recordId: string, queryId: string): Promise<SqlEvent> {
  const record = await host.store.get(recordId);
  if (!record) throw new ExplainFailure("GBX_EXPLAIN_NOT_FOUND", `no record with id "${recordId}"`);
  const data = record.panels.sql?.data as Partial<SqlPanelData> | undefined;
  const query = Array.isArray(data?.queries) ? data.queries.find((q) => q?.queryId === queryId) : undefined;
  if (!query)
    throw new ExplainFailure(
      "GBX_EXPLAIN_NOT_FOUND",
      `record "${recordId}" has no query with id "${queryId}"`,
    );
  // The store may be shared (several apps, earlier runs): replay only what this instance saw.
  if (record.service !== host.config.service || query.instance !== host.instanceId)
    throw new ExplainFailure(
      "GBX_EXPLAIN_FOREIGN",
      "this query was recorded by another glassbox instance or process (another app sharing the store, or an earlier run); only the process that recorded a query can EXPLAIN it",
    );
  if (typeof query.sql !== "string" || !(query.system in SYSTEM_NAMES))
    throw new ExplainFailure("GBX_EXPLAIN_NOT_FOUND", `query "${queryId}" has no SQL glassbox can plan`);
  return query;
}

const runners = new WeakMap<object, Runner>();

/** One runner per configured connection, so a pool passed by the user is reused, not re-wrapped. */
function runnerFor(system: SqlSystem, connection: object): Runner {
  let runner = runners.get(connection);
  if (!runner) {
    runner =
      system === "postgresql"
        ? pgRunner(connection)
        : system === "mysql"
          ? mysqlRunner(connection)
          : sqliteRunner(connection);
    runners.set(connection, runner);
  }
  return runner;
}

function hasMasked(params: unknown, replacement: string): boolean {
  if (params === undefined || params === null) return false;
  try {
    return JSON.stringify(params).includes(JSON.stringify(replacement).slice(1, -1));
  } catch {
    return false;
  }
}
