import { type GlassboxRecord, summarize } from "../core/record.js";
import { compareBy, matchesQuery } from "./conditions.js";
import { clampLimit, type RecordPage, type RecordQuery, type Store, type StoreHealth } from "./store.js";
import {
  aggregateTrends,
  type TrendSample,
  type TrendsQuery,
  type TrendsResult,
  trendSample,
} from "./trends.js";

/**
 * A bounded ring of the newest records. The hot path of every glassbox: `add` is O(1) and the
 * oldest record is overwritten (and counted as pruned) when the ring is full.
 */
export class MemoryStore implements Store {
  private readonly ring: (GlassboxRecord | undefined)[];
  private readonly byId = new Map<string, GlassboxRecord>();
  private next = 0;
  private pruned = 0;

  constructor(
    readonly capacity: number,
    private readonly maxAgeMs = Number.POSITIVE_INFINITY,
  ) {
    this.ring = new Array(capacity);
  }

  add(record: GlassboxRecord): void {
    const old = this.ring[this.next];
    if (old) {
      this.byId.delete(old.id);
      this.pruned++;
    }
    this.ring[this.next] = record;
    this.byId.set(record.id, record);
    this.next = (this.next + 1) % this.capacity;
  }

  /** Newest first, skipping records past the age limit. */
  *newest(): Generator<GlassboxRecord> {
    const oldestAllowed = Date.now() - this.maxAgeMs;
    for (let i = 1; i <= this.capacity; i++) {
      const r = this.ring[(this.next - i + this.capacity) % this.capacity];
      // Slots emptied by prune() can sit between live records: skip them, do not stop.
      if (r && r.startedAt >= oldestAllowed) yield r;
    }
  }

  getSync(id: string): GlassboxRecord | undefined {
    const r = this.byId.get(id);
    return r && r.startedAt >= Date.now() - this.maxAgeMs ? r : undefined;
  }

  /**
   * Removes records past the age limit now (lists and get already hide them) and returns how
   * many went. The count limit is the ring itself.
   *
   * @example
   * const removed = await store.prune();
   */
  async prune(now = Date.now()): Promise<number> {
    const oldestAllowed = now - this.maxAgeMs;
    let removed = 0;
    for (let i = 0; i < this.capacity; i++) {
      const r = this.ring[i];
      if (r && r.startedAt < oldestAllowed) {
        this.ring[i] = undefined;
        this.byId.delete(r.id);
        removed++;
      }
    }
    this.pruned += removed;
    return removed;
  }

  async list(query: RecordQuery = {}): Promise<RecordPage> {
    const limit = clampLimit(query.limit);
    const offset = Math.max(0, query.offset ?? 0);
    const all = [];
    for (const r of this.newest()) {
      const s = summarize(r);
      if (matchesQuery(s, query)) all.push(s);
    }
    // Ring order is finish order; the API promises start order (stable sort: ties stay newest first).
    all.sort(compareBy(query.sort?.field ?? "startedAt", query.sort?.dir ?? "desc"));
    return { records: all.slice(offset, offset + limit), total: all.length };
  }

  async get(id: string): Promise<GlassboxRecord | undefined> {
    return this.getSync(id);
  }

  async trends(query: TrendsQuery): Promise<TrendsResult> {
    return aggregateTrends(this.trendSamples(query.service), query);
  }

  private *trendSamples(service: string | undefined): Generator<TrendSample> {
    for (const r of this.newest()) {
      if (r.kind !== "request" || (service !== undefined && r.service !== service)) continue;
      yield trendSample(r);
    }
  }

  async health(): Promise<StoreHealth> {
    await this.prune();
    return {
      backend: "memory",
      records: this.byId.size,
      queued: 0,
      dropped: 0,
      pruned: this.pruned,
      written: 0,
      writeErrors: 0,
    };
  }

  async flush(): Promise<void> {}

  async clear(): Promise<void> {
    this.ring.fill(undefined);
    this.byId.clear();
    this.next = 0;
  }

  async close(): Promise<void> {}
}
