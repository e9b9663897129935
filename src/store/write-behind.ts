import { performance } from "node:perf_hooks";
import type { Warner } from "../core/errors.js";
import type { GlassboxRecord } from "../core/record.js";
import { MemoryStore } from "./memory.js";
import type { SqliteRecords } from "./sqlite.js";
import { sqliteTrends } from "./sqlite-trends.js";
import type { RecordPage, RecordQuery, Store, StoreHealth } from "./store.js";
import type { TrendsQuery, TrendsResult } from "./trends.js";

export interface WriteBehindOptions {
  ringSize: number;
  maxRecords: number;
  maxAgeMs: number;
  queueLimit: number;
  flushIntervalMs: number;
}

const PRUNE_EVERY_MS = 5_000;

/**
 * The default store: a memory ring for the newest records, written behind to SQLite in batches
 * from a timer, off the request path. When the queue is full the oldest waiting record is
 * dropped and counted; when a write fails the batch stays queued and the error is reported.
 */
export class WriteBehindStore implements Store {
  private readonly memory: MemoryStore;
  private queue: GlassboxRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private dropped = 0;
  private pruned = 0;
  private written = 0;
  private writeErrors = 0;
  private lastError: string | undefined;
  private lastPrune = 0;
  /** After a failed write, readers wait for the retry timer instead of stalling on the database again. */
  private retryAt = 0;
  private closed = false;

  constructor(
    private readonly db: SqliteRecords,
    private readonly options: WriteBehindOptions,
    private readonly warner?: Warner,
    private readonly onWriteTime?: (ms: number) => void,
  ) {
    this.memory = new MemoryStore(options.ringSize, options.maxAgeMs);
    this.pruneNow();
  }

  add(record: GlassboxRecord): void {
    if (this.closed) return;
    this.memory.add(record);
    if (this.queue.length >= this.options.queueLimit) {
      this.queue.shift();
      this.dropped++;
      this.warner?.warn(
        "GBXW004",
        `write queue full (${this.options.queueLimit}); dropped counts are in /api/health`,
      );
    }
    this.queue.push(record);
    this.timer ??= setTimeout(() => this.flushSync(), this.options.flushIntervalMs).unref();
  }

  /**
   * Writes the queue now. Safe to call at any time; never throws. Unless forced, it leaves a
   * batch whose write just failed to its retry timer.
   */
  flushSync(force = false): void {
    if (!force && this.queue.length > 0 && Date.now() < this.retryAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // A closed or locked database throws here: that is a write error, counted and reported.
    if (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const started = performance.now();
      try {
        this.db.write(batch);
        this.written += batch.length;
        this.onWriteTime?.(performance.now() - started);
      } catch (error) {
        this.writeErrors++;
        this.lastError = (error as Error).message;
        this.warner?.warn(
          "GBXW003",
          `writing ${batch.length} records to ${this.db.path} failed: ${this.lastError}`,
        );
        // Keep them for the next try, newest last, within the queue limit.
        const keep = batch.concat(this.queue);
        const over = keep.length - this.options.queueLimit;
        if (over > 0) this.dropped += over;
        this.queue = over > 0 ? keep.slice(over) : keep;
        this.retryAt = Date.now() + this.options.flushIntervalMs * 4;
        if (!this.closed)
          this.timer = setTimeout(() => this.flushSync(true), this.options.flushIntervalMs * 4).unref();
      }
    }
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) this.pruneNow();
  }

  /**
   * Applies retention now (store.maxRecords and store.maxAgeMs) and returns how many records
   * went. It also runs by itself on open and every few seconds while records are written.
   *
   * @example
   * const removed = await store.prune();
   */
  async prune(): Promise<number> {
    this.flushSync();
    return this.pruneNow();
  }

  private pruneNow(): number {
    this.lastPrune = Date.now();
    try {
      const removed = this.db.prune(this.options.maxRecords, this.options.maxAgeMs);
      this.pruned += removed;
      return removed;
    } catch (error) {
      this.lastError = (error as Error).message;
      return 0;
    }
  }

  async list(query?: RecordQuery): Promise<RecordPage> {
    this.flushSync();
    if (!this.db.db.open) return this.memory.list(query);
    try {
      return this.db.list(query);
    } catch {
      return this.memory.list(query);
    }
  }

  async trends(query: TrendsQuery): Promise<TrendsResult> {
    this.flushSync();
    if (!this.db.db.open) return this.memory.trends(query);
    try {
      return sqliteTrends(this.db.db, query);
    } catch {
      return this.memory.trends(query);
    }
  }

  /**
   * Reads from SQLite, the source of truth once written, so a record retention removed is gone
   * even while the memory ring still holds it. The ring answers while the database cannot.
   */
  async get(id: string): Promise<GlassboxRecord | undefined> {
    this.flushSync();
    // Records still queued (a write failed) are only in the ring.
    const hot = this.queue.length > 0 ? this.memory.getSync(id) : undefined;
    if (hot) return hot;
    try {
      return this.db.get(id);
    } catch {
      return this.memory.getSync(id);
    }
  }

  async health(): Promise<StoreHealth> {
    let records = 0;
    try {
      records = this.db.count() + this.queue.length;
    } catch {
      records = (await this.memory.health()).records;
    }
    return {
      backend: "sqlite",
      path: this.db.path,
      records,
      queued: this.queue.length,
      dropped: this.dropped,
      pruned: this.pruned,
      written: this.written,
      writeErrors: this.writeErrors,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  async flush(): Promise<void> {
    this.flushSync(true);
  }

  async clear(): Promise<void> {
    this.queue = [];
    await this.memory.clear();
    this.db.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flushSync(true);
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.db.close();
  }
}
