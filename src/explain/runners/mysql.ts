import { ExplainFailure } from "../failure.js";
import type { Plan, PlanNode } from "../plan.js";
import { tableAliases } from "../tables.js";
import { loadDriver } from "./load-driver.js";
import { type ExplainJob, type Leased, leasedRunner, type Runner, timedOut } from "./runner.js";

// mysql2 is an optional peer: these are the few shapes glassbox uses (its promise API).
type Row = Record<string, unknown>;
interface MysqlConnectionLike {
  query(options: { sql: string; namedPlaceholders?: boolean }, values?: unknown): Promise<[unknown, unknown]>;
}
interface MysqlOwnConnection extends MysqlConnectionLike {
  end(): Promise<void>;
  destroy(): void;
  on?(event: "error", listener: (error: Error) => void): void;
}
interface MysqlPooledConnection extends MysqlConnectionLike {
  release(): void;
  destroy(): void;
}
interface MysqlPoolLike {
  getConnection(): Promise<MysqlPooledConnection>;
}
interface MysqlPromiseModule {
  createConnection(config: object): Promise<MysqlOwnConnection>;
}

const isPool = (v: object): v is MysqlPoolLike => typeof (v as MysqlPoolLike).getConnection === "function";

type Lease = Leased<MysqlConnectionLike>;

async function lease(connection: object): Promise<Lease> {
  if (isPool(connection)) {
    const conn = await connection.getConnection();
    if (typeof conn?.query !== "function" || typeof (conn as { then?: unknown }).then === "function")
      throw new ExplainFailure(
        "GBX_EXPLAIN_NOT_CONFIGURED",
        "explain.mysql must be a connection config or a mysql2/promise pool",
      );
    return { connection: conn, done: async (destroy) => (destroy ? conn.destroy() : conn.release()) };
  }
  const mysql = loadDriver<MysqlPromiseModule>("mysql2/promise");
  // One statement per call, whatever the user's config says.
  const conn = await mysql.createConnection({ ...connection, multipleStatements: false });
  conn.on?.("error", () => {});
  return {
    connection: conn,
    done: async (destroy) => (destroy ? conn.destroy() : conn.end().catch(() => conn.destroy())),
  };
}

/**
 * EXPLAIN on MySQL and MariaDB: a per-session statement time limit (MariaDB
 * `max_statement_time`, MySQL `max_execution_time`), `START TRANSACTION READ ONLY`, `EXPLAIN`
 * with the recorded parameters, then `ROLLBACK`.
 *
 * @example
 * const run = mysqlRunner({ host: "127.0.0.1", user: "readonly", database: "app" });
 * const plan = await run({ sql: "SELECT * FROM users WHERE id = ?", params: [1], analyze: false, timeoutMs: 2000 });
 */
export function mysqlRunner(connection: object): Runner {
  return leasedRunner("MySQL", () => lease(connection), plan, translate);
}

async function plan(conn: MysqlConnectionLike, job: ExplainJob): Promise<Plan> {
  const [versionRows] = await conn.query({ sql: "SELECT VERSION() AS v" });
  const mariadb = /mariadb/i.test(String((versionRows as Row[])[0]?.v ?? ""));
  const limit = mariadb
    ? `SET SESSION max_statement_time = ${Math.max(0.001, job.timeoutMs / 1000)}`
    : `SET SESSION max_execution_time = ${Math.max(1, Math.floor(job.timeoutMs))}`;
  await conn.query({ sql: limit });
  await conn.query({ sql: "START TRANSACTION READ ONLY" });
  try {
    const named = job.params !== undefined && !Array.isArray(job.params);
    const [rows] = await conn.query({ sql: `EXPLAIN ${job.sql}`, namedPlaceholders: named }, job.params);
    const root = toTree(rows as Row[], tableAliases(job.sql, "mysql"));
    const tableRows: Record<string, number> = {};
    for (const child of root.children)
      if (child.fullScan && child.table && child.estimatedRows !== undefined)
        tableRows[child.table] = Math.max(tableRows[child.table] ?? 0, child.estimatedRows);
    return { root, tableRows };
  } finally {
    await conn.query({ sql: "ROLLBACK" }).catch(() => undefined);
    await conn
      .query({ sql: mariadb ? "SET SESSION max_statement_time = 0" : "SET SESSION max_execution_time = 0" })
      .catch(() => undefined);
  }
}

/** The tabular EXPLAIN (the same columns on MySQL and MariaDB): one child per row, in order. */
export function toTree(rows: Row[], aliases: Map<string, string> = new Map()): PlanNode {
  const children = rows.map((row): PlanNode => {
    const type = str(row.type);
    const selectType = str(row.select_type);
    const node: PlanNode = {
      operation: [selectType, type ? `access=${type}` : undefined].filter(Boolean).join(" ") || "step",
      children: [],
    };
    const name = str(row.table);
    const table = name ? (aliases.get(name) ?? name) : undefined;
    if (table) node.table = table;
    if (name && table !== name) node.alias = name;
    const key = str(row.key);
    if (key) node.index = key;
    const estimated = Number(row.rows);
    if (row.rows !== null && row.rows !== undefined && Number.isFinite(estimated))
      node.estimatedRows = estimated;
    // type ALL: every row of the table is read (a derived table <derivedN> is not a real table).
    if (type === "ALL" && table && !table.startsWith("<")) node.fullScan = true;
    const details: Record<string, string | number | boolean> = {};
    for (const k of ["id", "possible_keys", "key_len", "ref", "filtered", "Extra"]) {
      const v = row[k];
      if (typeof v === "string" || typeof v === "number") details[k] = v;
    }
    if (Object.keys(details).length) node.details = details;
    const extra = str(row.Extra);
    if (extra) node.conditions = [`Extra: ${extra}`];
    return node;
  });
  return { operation: "Query", children };
}

const str = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : undefined;

function translate(error: unknown, timeoutMs: number): Error {
  if (error instanceof ExplainFailure) return error;
  const e = error as { errno?: unknown; code?: unknown; message?: unknown };
  // 1969: MariaDB max_statement_time; 3024: MySQL max_execution_time.
  if (e?.errno === 1969 || e?.errno === 3024) return timedOut(timeoutMs);
  const message = typeof e?.message === "string" ? e.message : String(error);
  return new ExplainFailure("GBX_EXPLAIN_FAILED", `MySQL refused the EXPLAIN: ${message}`);
}
