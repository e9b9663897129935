import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { ExplainFailure } from "../failure.js";
import type { Plan, PlanNode } from "../plan.js";
import { tableAliases } from "../tables.js";
import { type ExplainJob, type Runner, timedOut, withDeadline } from "./runner.js";

interface SqliteDatabaseLike {
  name: string;
  prepare(sql: string): { all(...params: unknown[]): unknown[] };
  readonly inTransaction: boolean;
  exec(sql: string): unknown;
}
interface PlanRow {
  id: number;
  parent: number;
  detail: string;
}
interface WorkerAnswer {
  rows?: PlanRow[];
  sizes?: Record<string, number>;
  error?: string;
}

const isDatabase = (v: object): v is SqliteDatabaseLike =>
  typeof (v as SqliteDatabaseLike).prepare === "function" &&
  typeof (v as SqliteDatabaseLike).exec === "function";

/**
 * EXPLAIN QUERY PLAN on SQLite. A file (`{ path }`, or a Database opened on a file) is opened
 * read-only in a worker thread, so the plan never blocks the app's thread and a slow one is cut
 * by terminating the worker at the timeout. An in-memory Database can only be reached on its
 * own thread: there EXPLAIN QUERY PLAN runs inside BEGIN … ROLLBACK (it plans, it never runs
 * the statement).
 *
 * @example
 * const run = sqliteRunner({ path: "data/app.db" });
 * const plan = await run({ sql: "SELECT * FROM users WHERE email = ?", params: ["a@b.c"], analyze: false, timeoutMs: 2000 });
 */
export function sqliteRunner(connection: object): Runner {
  const database = isDatabase(connection) ? connection : undefined;
  const path = database ? database.name : (connection as { path?: unknown }).path;
  const onDisk = typeof path === "string" && path !== "" && path !== ":memory:";
  return async (job) => {
    const aliases = tableAliases(job.sql, "sqlite");
    const tables = [...new Set(aliases.values())];
    let answer: WorkerAnswer;
    if (onDisk) answer = await inWorker(path, job, tables);
    else if (database) answer = onThread(database, job, tables);
    else
      throw new ExplainFailure(
        "GBX_EXPLAIN_NOT_CONFIGURED",
        "explain.sqlite must be { path: <file> } or a better-sqlite3 Database",
      );
    if (answer.error !== undefined)
      throw new ExplainFailure("GBX_EXPLAIN_FAILED", `SQLite refused the EXPLAIN: ${answer.error}`);
    return toPlan(answer.rows ?? [], answer.sizes ?? {}, aliases);
  };
}

/** Runs the plan in a fresh worker thread, terminated at the timeout. */
async function inWorker(path: string, job: ExplainJob, tables: string[]): Promise<WorkerAnswer> {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver, path, sql: job.sql, params: job.params, tables },
  });
  worker.unref();
  const answer = new Promise<WorkerAnswer>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => resolve({ error: `the EXPLAIN worker stopped (exit code ${code})` }));
  });
  try {
    return await withDeadline(answer, job.timeoutMs, () => timedOut(job.timeoutMs));
  } finally {
    void worker.terminate();
  }
}

// Plain CommonJS for an eval worker: the file opened read-only, the plan, and table sizes.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { driver, path, sql, params, tables } = workerData;
let db;
try {
  const Database = require(driver);
  db = new Database(path, { readonly: true, fileMustExist: true });
  db.exec("BEGIN");
  const stmt = db.prepare("EXPLAIN QUERY PLAN " + sql);
  const rows = params === undefined ? stmt.all() : Array.isArray(params) ? stmt.all(...params) : stmt.all(params);
  const sizes = {};
  for (const table of tables) {
    try {
      const known = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table);
      if (!known) continue;
      const row = db.prepare('SELECT max(rowid) AS n FROM "' + table.replace(/"/g, '""') + '"').get();
      if (row && typeof row.n === "number") sizes[table] = row.n;
    } catch {}
  }
  db.exec("ROLLBACK");
  parentPort.postMessage({ rows, sizes });
} catch (error) {
  parentPort.postMessage({ error: String(error && error.message || error) });
} finally {
  try { db && db.close(); } catch {}
}
`;

/** An in-memory Database: plan on its own thread, inside a transaction that is rolled back. */
function onThread(db: SqliteDatabaseLike, job: ExplainJob, tables: string[]): WorkerAnswer {
  const own = !db.inTransaction;
  try {
    if (own) db.exec("BEGIN");
    const stmt = db.prepare(`EXPLAIN QUERY PLAN ${job.sql}`);
    const p = job.params;
    const rows = (
      p === undefined ? stmt.all() : Array.isArray(p) ? stmt.all(...p) : stmt.all(p)
    ) as PlanRow[];
    const sizes: Record<string, number> = {};
    for (const table of tables) {
      try {
        const known = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").all(table);
        if (known.length === 0) continue;
        const [row] = db.prepare(`SELECT max(rowid) AS n FROM "${table.replace(/"/g, '""')}"`).all() as {
          n?: unknown;
        }[];
        if (typeof row?.n === "number") sizes[table] = row.n;
      } catch {
        // A view or a WITHOUT ROWID table: its size stays unknown.
      }
    }
    return { rows, sizes };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    if (own && db.inTransaction) db.exec("ROLLBACK");
  }
}

/** EXPLAIN QUERY PLAN rows (id, parent, detail) as a tree. */
export function toPlan(rows: PlanRow[], sizes: Record<string, number>, aliases: Map<string, string>): Plan {
  const root: PlanNode = { operation: "Query", children: [] };
  const byId = new Map<number, PlanNode>([[0, root]]);
  for (const row of rows) {
    const node: PlanNode = { operation: row.detail, children: [] };
    // "SCAN t", "SCAN t USING INDEX i", "SEARCH t USING INDEX i (x=?)"; older SQLite says "SCAN TABLE t".
    const m =
      /^(SCAN|SEARCH)\s+(?:TABLE\s+)?(\S+)(?:\s+AS\s+(\S+))?(?:.*?\bUSING\s+(?:COVERING\s+)?INDEX\s+(\S+))?/.exec(
        row.detail,
      );
    if (m) {
      const name = m[3] ?? m[2]!;
      const table = aliases.get(name) ?? aliases.get(m[2]!) ?? m[2]!;
      node.table = table;
      if (name !== table) node.alias = name;
      if (m[4]) node.index = m[4];
      if (m[1] === "SCAN" && !/\bUSING\b/.test(row.detail)) node.fullScan = true;
      if (sizes[table] !== undefined) node.estimatedRows = sizes[table];
    }
    (byId.get(row.parent) ?? root).children.push(node);
    byId.set(row.id, node);
  }
  return { root, tableRows: sizes };
}
