import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { GlassboxError } from "../core/errors.js";
import { type GlassboxRecord, RECORD_SCHEMA, type RecordSummary } from "../core/record.js";
import { markInternalDatabase } from "../instrument/better-sqlite3.js";
import { SharedValues } from "./shared-values.js";
import { type Condition, clampLimit, type RecordPage, type RecordQuery, type SortField } from "./store.js";

/**
 * Records in one SQLite file (WAL). Synchronous, like better-sqlite3 itself: callers decide
 * when it runs (the write-behind store calls it from a timer, never on the request path).
 * `records` keeps narrow rows (summary columns and stats) so filters and sorts scan little;
 * `record_json` keeps each whole record as one JSON text under the same rowid (one
 * serialization per record; lists cut the panels out inside SQLite, for the page's rows only).
 */
/** The table layout; a file with another one is set aside on open (see migrate). */
const STORAGE_LAYOUT = 2;

export class SqliteRecords {
  readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly insertJson: Database.Statement;
  private readonly selectOne: Database.Statement<[string], { record: string }>;
  /** Panel data many records share (versions, settings, routes) is written once, referenced after. */
  private readonly shared: SharedValues;

  constructor(readonly path: string) {
    try {
      if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path);
      markInternalDatabase(this.db);
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
      // Writes run on the app's own thread: wait briefly for another writer, then fail and retry
      // later (the batch stays queued) rather than stall every request.
      this.db.pragma("busy_timeout = 100");
      this.migrate();
    } catch (error) {
      throw new GlassboxError(
        "GBX_ERR_STORE_OPEN",
        `Could not open the glassbox store at ${path}: ${(error as Error).message}. Check the path is writable, or set store.path to ":memory:" or false.`,
        { cause: error },
      );
    }
    this.insert = this.db.prepare(
      `INSERT OR IGNORE INTO records (id, schema, kind, service, trace_id, started_at, duration_ms, method, path, route, status, alert_count, stats)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertJson = this.db.prepare("INSERT OR REPLACE INTO record_json (rowid, json) VALUES (?, ?)");
    this.selectOne = this.db.prepare(
      "SELECT j.json AS record FROM records r JOIN record_json j ON j.rowid = r.rowid WHERE r.id = ?",
    );
    const saveShared = this.db.prepare("INSERT OR IGNORE INTO shared (hash, json) VALUES (?, ?)");
    const loadShared = this.db.prepare<[string], { json: string }>("SELECT json FROM shared WHERE hash = ?");
    this.shared = new SharedValues(
      (hash, json) => saveShared.run(hash, json),
      (hash) => loadShared.get(hash)?.json,
    );
  }

  private migrate(): void {
    const layout = this.db.pragma("user_version", { simple: true }) as number;
    const hasRecords = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'records'")
      .get();
    if (hasRecords && layout !== STORAGE_LAYOUT) {
      // A file from another glassbox version: keep its rows aside (never delete data) and start fresh.
      this.db.exec(`ALTER TABLE records RENAME TO records_layout_${layout}_${Date.now()}`);
      this.db.exec(
        "DROP INDEX IF EXISTS records_started_at; DROP INDEX IF EXISTS records_route; DROP INDEX IF EXISTS records_kind_started;",
      );
    }
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS records (
        id TEXT PRIMARY KEY,
        schema INTEGER NOT NULL,
        kind TEXT NOT NULL,
        service TEXT NOT NULL,
        trace_id TEXT,
        started_at INTEGER NOT NULL,
        duration_ms REAL NOT NULL,
        method TEXT,
        path TEXT,
        route TEXT,
        status INTEGER,
        alert_count INTEGER NOT NULL DEFAULT 0,
        stats TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS record_json (rowid INTEGER PRIMARY KEY, json TEXT NOT NULL);
      CREATE TRIGGER IF NOT EXISTS records_drop_json AFTER DELETE ON records
        BEGIN DELETE FROM record_json WHERE rowid = OLD.rowid; END;
      CREATE TABLE IF NOT EXISTS shared (hash TEXT PRIMARY KEY, json TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS records_started_at ON records (started_at DESC);
      CREATE INDEX IF NOT EXISTS records_route ON records (route, started_at DESC);
      -- Lists filter on kind: counting and paging them from this index skips the wide rows.
      CREATE INDEX IF NOT EXISTS records_kind_started ON records (kind, started_at DESC);
    `);
    this.db
      .prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)")
      .run(String(RECORD_SCHEMA));
    this.db.pragma(`user_version = ${STORAGE_LAYOUT}`);
  }

  /** Writes records in one transaction. */
  write(records: readonly GlassboxRecord[]): void {
    const tx = this.db.transaction((batch: readonly GlassboxRecord[]) => {
      for (const r of batch) {
        // Positional binding: cheaper than naming thirteen parameters per record.
        const info = this.insert.run(
          r.id,
          r.schema,
          r.kind,
          r.service,
          r.traceId,
          r.startedAt,
          r.durationMs,
          r.method ?? null,
          r.path ?? null,
          r.route ?? null,
          r.status ?? null,
          r.alerts.length,
          JSON.stringify(r.stats),
        );
        // One serialization per record; a duplicate id (a retried batch) is written once.
        if (info.changes === 1) {
          this.insertJson.run(
            info.lastInsertRowid,
            JSON.stringify({ ...r, panels: this.deflatePanels(r.panels) }),
          );
        }
      }
    });
    try {
      tx(records);
    } catch (error) {
      // The transaction rolled back the shared values it wrote too: write them again next time.
      this.shared.reset();
      throw error;
    }
  }

  get(id: string): GlassboxRecord | undefined {
    const row = this.selectOne.get(id);
    if (!row) return undefined;
    const record = JSON.parse(row.record) as GlassboxRecord;
    for (const panel of Object.values(record.panels)) {
      if (panel.data !== undefined) panel.data = this.shared.inflate(panel.data);
    }
    return record;
  }

  private deflatePanels(panels: GlassboxRecord["panels"]): GlassboxRecord["panels"] {
    let out: GlassboxRecord["panels"] | undefined;
    for (const [id, panel] of Object.entries(panels)) {
      const data = panel.data === undefined ? undefined : this.shared.deflate(panel.data);
      if (data !== panel.data) {
        out ??= { ...panels };
        out[id] = { ...panel, data };
      }
    }
    return out ?? panels;
  }

  list(query: RecordQuery = {}): RecordPage {
    const { sql, params } = whereClause(query);
    const limit = clampLimit(query.limit);
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    const order = query.sort
      ? `${sortColumn(query.sort.field)} ${query.sort.dir === "asc" ? "ASC" : "DESC"}`
      : "started_at DESC";
    const total = (this.db.prepare(`SELECT count(*) AS n FROM records ${sql}`).get(params) as { n: number })
      .n;
    // Pick the page's rowids first (index and narrow columns only), then cut summaries out of
    // just those rows: otherwise a deep offset or a sort runs json_remove on every row it passes.
    const rows = this.db
      .prepare(
        `SELECT json_remove(j.json, '$.panels', '$.timeline', '$.serverTiming', '$.alerts') AS summary, r.alert_count AS alertCount
         FROM records r JOIN record_json j ON j.rowid = r.rowid
         WHERE r.rowid IN (SELECT rowid FROM records ${sql} ORDER BY ${order}, rowid DESC LIMIT @limit OFFSET @offset)
         ORDER BY ${order.replace(/^(\w+)/, "r.$1")}, r.rowid DESC`,
      )
      .all({ ...params, limit, offset }) as { summary: string; alertCount: number }[];
    return {
      records: rows.map((r) => ({
        ...(JSON.parse(r.summary) as Omit<RecordSummary, "alertCount">),
        alertCount: r.alertCount,
      })),
      total,
    };
  }

  count(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM records").get() as { n: number }).n;
  }

  /** Removes records past the count or age limit; returns how many went. */
  prune(maxRecords: number, maxAgeMs: number, now = Date.now()): number {
    const byAge = this.db.prepare("DELETE FROM records WHERE started_at < ?").run(now - maxAgeMs).changes;
    // Exactly maxRecords stay, even when many records share one millisecond.
    const byCount = this.db
      .prepare(
        "DELETE FROM records WHERE rowid IN (SELECT rowid FROM records ORDER BY started_at DESC, rowid DESC LIMIT -1 OFFSET ?)",
      )
      .run(maxRecords).changes;
    return byAge + byCount;
  }

  clear(): void {
    this.db.exec("DELETE FROM records; DELETE FROM record_json; DELETE FROM shared");
    this.shared.reset();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

const COLUMNS: Record<string, string> = {
  method: "method",
  path: "path",
  route: "route",
  status: "status",
  durationMs: "duration_ms",
  service: "service",
  kind: "kind",
  startedAt: "started_at",
  alerts: "alert_count",
  traceId: "trace_id",
};

function sortColumn(field: SortField): string {
  return COLUMNS[field] ?? "started_at";
}

const SQL_OPS: Record<string, string> = { "=": "=", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<=" };

function whereClause(query: RecordQuery): { sql: string; params: Record<string, string | number> } {
  const parts: string[] = [];
  const params: Record<string, string | number> = {};
  if (query.kind) {
    parts.push("kind = @kind");
    params.kind = query.kind;
  }
  (query.where ?? []).forEach((c: Condition, i) => {
    const p = `p${i}`;
    const column = COLUMNS[c.field] ?? `coalesce(json_extract(stats, '$."' || @k${i} || '"'), 0)`;
    if (!(c.field in COLUMNS)) params[`k${i}`] = c.field.slice("stats.".length);
    const text = typeof c.value === "string";
    if (c.op === "contains") {
      parts.push(`instr(lower(${column}), lower(@${p})) > 0`);
      params[p] = String(c.value);
    } else if (c.op === "glob") {
      // SQLite's GLOB is case-sensitive and treats [ ] specially: use a REGEXP-free LIKE instead.
      parts.push(`lower(${column}) LIKE lower(@${p}) ESCAPE '\\'`);
      params[p] = String(c.value)
        .replace(/[\\%_]/g, "\\$&")
        .replace(/\*/g, "%");
    } else {
      const col = text ? `lower(${column})` : column;
      parts.push(c.op === "!=" ? `(${col} IS NULL OR ${col} != @${p})` : `${col} ${SQL_OPS[c.op]} @${p}`);
      params[p] = text ? String(c.value).toLowerCase() : c.value;
    }
  });
  return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", params };
}
