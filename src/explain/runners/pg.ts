import { ExplainFailure } from "../failure.js";
import type { Plan, PlanNode } from "../plan.js";
import { loadDriver } from "./load-driver.js";
import { type ExplainJob, type Leased, leasedRunner, type Runner, timedOut } from "./runner.js";

// pg is an optional peer: these are the few shapes glassbox uses.
interface PgResult {
  rows: Record<string, unknown>[];
}
interface PgClientLike {
  query(config: { text: string; values?: unknown[] }): Promise<PgResult>;
}
interface PgOwnClient extends PgClientLike {
  connect(): Promise<void>;
  end(): Promise<void>;
  on?(event: "error", listener: (error: Error) => void): void;
}
interface PgPooledClient extends PgClientLike {
  release(destroy?: boolean | Error): void;
}
interface PgPoolLike {
  connect(): Promise<PgPooledClient>;
}
interface PgModuleLike {
  Client: new (config: object) => PgOwnClient;
}

const isPool = (v: object): v is PgPoolLike =>
  typeof (v as PgPoolLike).connect === "function" && typeof (v as { query?: unknown }).query === "function";

type Lease = Leased<PgClientLike>;

async function lease(connection: object): Promise<Lease> {
  if (isPool(connection)) {
    const client = await connection.connect();
    return {
      connection: client,
      done: async (destroy) => client.release(destroy),
    };
  }
  const pg = loadDriver<PgModuleLike & { default?: PgModuleLike }>("pg");
  const Client = (pg.Client ?? pg.default?.Client) as PgModuleLike["Client"];
  const client = new Client(connection);
  // A connection cut on timeout reports an error event; it is already handled by the caller.
  client.on?.("error", () => {});
  await client.connect();
  return { connection: client, done: () => client.end().catch(() => undefined) };
}

/**
 * EXPLAIN on PostgreSQL: `BEGIN READ ONLY`, `SET LOCAL statement_timeout`, then
 * `EXPLAIN (FORMAT JSON[, ANALYZE, BUFFERS])` with the recorded parameters, always rolled back.
 * The connection is glassbox's own (a config or pool the user gave), never the app's.
 *
 * @example
 * const run = pgRunner({ connectionString: "postgres://readonly@localhost/app" });
 * const plan = await run({ sql: "SELECT * FROM users WHERE id = $1", params: [1], analyze: false, timeoutMs: 2000 });
 */
export function pgRunner(connection: object): Runner {
  return leasedRunner("PostgreSQL", () => lease(connection), plan, translate);
}

async function plan(client: PgClientLike, job: ExplainJob): Promise<Plan> {
  await client.query({ text: "BEGIN READ ONLY" });
  try {
    await client.query({ text: `SET LOCAL statement_timeout = ${Math.max(1, Math.floor(job.timeoutMs))}` });
    const options = job.analyze ? "FORMAT JSON, ANALYZE, BUFFERS" : "FORMAT JSON";
    const values = Array.isArray(job.params) ? job.params : undefined;
    const result = await client.query({
      text: `EXPLAIN (${options}) ${job.sql}`,
      ...(values ? { values } : {}),
    });
    const raw = firstValue(result.rows[0]);
    const doc = (typeof raw === "string" ? JSON.parse(raw) : raw) as PgExplain[];
    const top = doc[0];
    if (!top?.Plan) throw new Error("PostgreSQL returned no plan");
    const root = toNode(top.Plan);
    const tableRows = await tableSizes(client, root);
    return {
      root,
      tableRows,
      ...(typeof top["Planning Time"] === "number" ? { planningMs: top["Planning Time"] } : {}),
      ...(typeof top["Execution Time"] === "number" ? { executionMs: top["Execution Time"] } : {}),
    };
  } finally {
    await client.query({ text: "ROLLBACK" }).catch(() => undefined);
  }
}

/** Estimated rows of every table the plan scans in full, from the catalog's statistics. */
async function tableSizes(client: PgClientLike, root: PlanNode): Promise<Record<string, number>> {
  const names: string[] = [];
  const stack = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.fullScan && node.table) names.push(qualified(node));
    stack.push(...node.children);
  }
  if (names.length === 0) return {};
  const result = await client.query({
    text: `SELECT n.name, c.reltuples::float8 AS rows
             FROM unnest($1::text[]) AS n(name)
             JOIN pg_class c ON c.oid = to_regclass(n.name)
            WHERE c.reltuples >= 0`,
    values: [names],
  });
  const out: Record<string, number> = {};
  for (const row of result.rows) out[unqualified(String(row.name))] = Number(row.rows);
  return out;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
function qualified(node: PlanNode): string {
  const schema = node.details?.Schema;
  return typeof schema === "string"
    ? `${quoteIdent(schema)}.${quoteIdent(node.table!)}`
    : quoteIdent(node.table!);
}
function unqualified(name: string): string {
  const last = name.slice(name.lastIndexOf('".') + 1);
  return last.replace(/^\.?"|"$/g, "").replace(/""/g, '"');
}

function firstValue(row: Record<string, unknown> | undefined): unknown {
  return row ? Object.values(row)[0] : undefined;
}

interface PgExplain {
  Plan?: PgPlan;
  "Planning Time"?: number;
  "Execution Time"?: number;
}
type PgPlan = Record<string, unknown> & { Plans?: PgPlan[] };

const CONDITION_KEYS = [
  "Index Cond",
  "Recheck Cond",
  "Hash Cond",
  "Merge Cond",
  "Join Filter",
  "Filter",
  "One-Time Filter",
  "Sort Key",
  "Group Key",
];
const SHOWN_ELSEWHERE = new Set([
  "Node Type",
  "Relation Name",
  "Alias",
  "Index Name",
  "Plan Rows",
  "Total Cost",
  "Actual Rows",
  "Actual Total Time",
  "Actual Loops",
  "Plans",
  ...CONDITION_KEYS,
]);

/** One PostgreSQL plan node (FORMAT JSON) as a PlanNode. */
export function toNode(p: PgPlan): PlanNode {
  const type = String(p["Node Type"] ?? "?");
  const join = typeof p["Join Type"] === "string" && p["Join Type"] !== "Inner" ? ` (${p["Join Type"]})` : "";
  const node: PlanNode = { operation: `${type}${join}`, children: (p.Plans ?? []).map(toNode) };
  if (typeof p["Relation Name"] === "string") node.table = p["Relation Name"];
  if (typeof p.Alias === "string" && p.Alias !== node.table) node.alias = p.Alias;
  if (typeof p["Index Name"] === "string") node.index = p["Index Name"];
  if (typeof p["Plan Rows"] === "number") node.estimatedRows = p["Plan Rows"];
  if (typeof p["Total Cost"] === "number") node.cost = p["Total Cost"];
  if (typeof p["Actual Rows"] === "number") node.actualRows = p["Actual Rows"];
  if (typeof p["Actual Total Time"] === "number") node.actualMs = p["Actual Total Time"];
  if (typeof p["Actual Loops"] === "number") node.loops = p["Actual Loops"];
  const conditions: string[] = [];
  for (const key of CONDITION_KEYS) {
    const value = p[key];
    if (typeof value === "string") conditions.push(`${key}: ${value}`);
    else if (Array.isArray(value)) conditions.push(`${key}: ${value.join(", ")}`);
  }
  if (conditions.length) node.conditions = conditions;
  if (type === "Seq Scan") node.fullScan = true;
  const details: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(p)) {
    if (SHOWN_ELSEWHERE.has(key)) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      details[key] = value;
  }
  if (Object.keys(details).length) node.details = details;
  return node;
}

function translate(error: unknown, timeoutMs: number): Error {
  if (error instanceof ExplainFailure) return error;
  const e = error as { code?: unknown; message?: unknown };
  // 57014: query_canceled, what statement_timeout raises.
  if (e?.code === "57014") return timedOut(timeoutMs);
  const message = typeof e?.message === "string" ? e.message : String(error);
  return new ExplainFailure("GBX_EXPLAIN_FAILED", `PostgreSQL refused the EXPLAIN: ${message}`);
}
