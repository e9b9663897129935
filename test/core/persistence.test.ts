import { createServer } from "node:http";
import { join } from "node:path";
import Database from "better-sqlite3";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import type { GlassboxRecord } from "../../src/core/record.js";
import { MemoryStore } from "../../src/store/memory.js";
import { SqliteRecords } from "../../src/store/sqlite.js";
import type { StoreHealth } from "../../src/store/store.js";
import { WriteBehindStore } from "../../src/store/write-behind.js";
import { listen, type Running } from "../helpers/http.js";
import { fakeRecord, tempDir } from "./support.js";

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const quiet = { warn: () => {} };

/** An Express app with glassbox on a real socket; closed after the test. */
async function startApp(options: Parameters<typeof glassbox>[0]): Promise<{
  mw: ReturnType<typeof glassbox>;
  running: Running;
}> {
  const mw = glassbox(options);
  const app = express();
  app.use(mw);
  app.get("/items/:id", (req, res) => res.json({ id: req.params.id }));
  const running = await listen(createServer(app));
  closers.push(
    () => running.close(),
    () => mw.glassbox?.close(),
  );
  return { mw, running };
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return (await res.json()) as T;
}

const storeOptions = (path: string) => ({
  path,
  ringSize: 100,
  maxRecords: 10_000,
  maxAgeMs: 3_600_000,
  queueLimit: 5000,
  flushIntervalMs: 60_000,
});

describe("persistence", () => {
  it("keeps records across a restart of the app", async () => {
    const { dir, cleanup } = tempDir();
    closers.push(cleanup);
    const path = join(dir, "history.db");
    const first = await startApp({ store: { path }, logger: quiet });
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const res = await fetch(`${first.running.url}/items/${n}`);
      await res.arrayBuffer();
      ids.push(res.headers.get("x-glassbox-id")!);
    }
    await first.running.close();
    await first.mw.glassbox!.close();

    const second = await startApp({ store: { path }, logger: quiet });
    const api = `${second.running.url}/__glassbox/api`;
    const list = await getJson<{ requests: GlassboxRecord[]; total: number }>(`${api}/requests`);
    expect(list.total).toBe(3);
    expect(list.requests.map((r) => r.path)).toEqual(["/items/3", "/items/2", "/items/1"]);
    expect(list.requests.map((r) => r.id)).toEqual([...ids].reverse());
    const record = await getJson<GlassboxRecord>(`${api}/requests/${ids[0]}`);
    expect(record.route).toBe("/items/:id");
    expect(record.status).toBe(200);
    expect(record.panels.request).toBeDefined();
    // Panel data written once and shared between records (versions, settings, routes) reads back whole.
    const versions = record.panels.versions?.data as { node?: string; dependencies?: object } | undefined;
    expect(versions?.node).toBe(process.versions.node);
    expect(versions?.dependencies).toBeTypeOf("object");
    expect(
      (record.panels.routes?.data as { routes?: { path: string }[] } | undefined)?.routes?.map((r) => r.path),
    ).toContain("/items/:id");
    const health = await getJson<{ store: StoreHealth }>(`${api}/health`);
    expect(health.store).toMatchObject({ backend: "sqlite", path, records: 3, dropped: 0 });
  });
});

describe("retention", () => {
  it("prunes the SQLite store by count, keeping the newest", async () => {
    const { dir, cleanup } = tempDir();
    closers.push(cleanup);
    const store = new WriteBehindStore(new SqliteRecords(join(dir, "count.db")), {
      ...storeOptions(join(dir, "count.db")),
      maxRecords: 5,
    });
    closers.push(() => store.close());
    const now = Date.now();
    for (let i = 0; i < 8; i++) store.add(fakeRecord({ id: `rec-${i}`, startedAt: now - (8 - i) * 1000 }));
    expect(await store.prune()).toBe(3);
    const page = await store.list();
    expect(page.total).toBe(5);
    expect(page.records.map((r) => r.id)).toEqual(["rec-7", "rec-6", "rec-5", "rec-4", "rec-3"]);
    // Gone everywhere, even though the memory ring still held it.
    expect(await store.get("rec-0")).toBeUndefined();
    expect(await store.get("rec-7")).toBeDefined();
    expect((await store.health()).pruned).toBe(3);
  });

  it("prunes the SQLite store by age, also when it is opened again", async () => {
    const { dir, cleanup } = tempDir();
    closers.push(cleanup);
    const path = join(dir, "age.db");
    const store = new WriteBehindStore(new SqliteRecords(path), {
      ...storeOptions(path),
      maxAgeMs: 60_000,
    });
    const now = Date.now();
    store.add(fakeRecord({ id: "two-hours-old", startedAt: now - 2 * 3_600_000 }));
    store.add(fakeRecord({ id: "two-minutes-old", startedAt: now - 120_000 }));
    store.add(fakeRecord({ id: "fresh", startedAt: now }));
    expect(await store.prune()).toBe(2);
    expect((await store.list()).records.map((r) => r.id)).toEqual(["fresh"]);
    expect(await store.get("two-hours-old")).toBeUndefined();
    await store.close();

    // Write an old record with a lenient store, then reopen with a strict one: pruned on open.
    const lenient = new WriteBehindStore(new SqliteRecords(path), storeOptions(path));
    lenient.add(fakeRecord({ id: "old-again", startedAt: now - 2 * 3_600_000 }));
    await lenient.close();
    const strict = new WriteBehindStore(new SqliteRecords(path), { ...storeOptions(path), maxAgeMs: 60_000 });
    closers.push(() => strict.close());
    expect((await strict.list()).records.map((r) => r.id)).toEqual(["fresh"]);
  });

  it("applies the same limits to the memory-only store", async () => {
    const store = new MemoryStore(3, 60_000);
    const now = Date.now();
    store.add(fakeRecord({ id: "old", startedAt: now - 3_600_000 }));
    store.add(fakeRecord({ id: "a", startedAt: now - 3 }));
    store.add(fakeRecord({ id: "b", startedAt: now - 2 }));
    expect((await store.list()).records.map((r) => r.id)).toEqual(["b", "a"]);
    expect(await store.get("old")).toBeUndefined();
    expect(await store.prune()).toBe(1);
    store.add(fakeRecord({ id: "c", startedAt: now - 1 }));
    store.add(fakeRecord({ id: "d", startedAt: now }));
    const page = await store.list();
    expect(page.records.map((r) => r.id)).toEqual(["d", "c", "b"]);
    expect(page.total).toBe(3);
    expect((await store.health()).records).toBe(3);
  });

  it("prunes what a running app stores, through the glassbox options", async () => {
    const { dir, cleanup } = tempDir();
    closers.push(cleanup);
    const { mw, running } = await startApp({
      store: { path: join(dir, "app.db"), maxRecords: 2 },
      logger: quiet,
    });
    for (const n of [1, 2, 3, 4]) await (await fetch(`${running.url}/items/${n}`)).arrayBuffer();
    await mw.glassbox!.store.prune?.();
    const list = await getJson<{ requests: GlassboxRecord[]; total: number }>(
      `${running.url}/__glassbox/api/requests`,
    );
    expect(list.total).toBe(2);
    expect(list.requests.map((r) => r.path)).toEqual(["/items/4", "/items/3"]);
  });
});

describe("dropped records", () => {
  it("drops the oldest queued record when the write queue is full, and counts it", async () => {
    const { dir, cleanup } = tempDir();
    closers.push(cleanup);
    const warnings: string[] = [];
    const { mw, running } = await startApp({
      store: { path: join(dir, "queue.db"), queueLimit: 2, flushIntervalMs: 60_000 },
      logger: { warn: (m) => warnings.push(m) },
    });
    for (const n of [1, 2, 3, 4, 5]) {
      const res = await fetch(`${running.url}/items/${n}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    // Read the counters before anything flushes the queue.
    const queued = await mw.glassbox!.store.health();
    expect(queued).toMatchObject({ queued: 2, dropped: 3 });
    expect(warnings.some((w) => w.includes("GBXW004"))).toBe(true);
    const health = await getJson<{ store: StoreHealth }>(`${running.url}/__glassbox/api/health`);
    expect(health.store).toMatchObject({ dropped: 3, queued: 2, records: 2 });
    await mw.glassbox!.store.flush();
    expect(await mw.glassbox!.store.health()).toMatchObject({
      dropped: 3,
      queued: 0,
      written: 2,
      records: 2,
    });
  });

  it("keeps records queued while another process locks the database, then writes them all", async () => {
    const { dir, cleanup } = tempDir();
    closers.push(cleanup);
    const path = join(dir, "locked.db");
    const warnings: string[] = [];
    const { mw, running } = await startApp({
      store: { path, flushIntervalMs: 60_000 },
      logger: { warn: (m) => warnings.push(m) },
    });
    const store = mw.glassbox!.store;
    const locker = new Database(path);
    closers.push(() => {
      if (locker.open) locker.close();
    });
    locker.exec("BEGIN EXCLUSIVE");
    for (const n of [1, 2, 3]) {
      const res = await fetch(`${running.url}/items/${n}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    await store.flush();
    expect(await store.health()).toMatchObject({ queued: 3, written: 0, dropped: 0, writeErrors: 1 });
    expect((await store.health()).lastError).toMatch(/locked/);
    expect(warnings.some((w) => w.includes("GBXW003"))).toBe(true);
    locker.exec("COMMIT");
    locker.close();
    await store.flush();
    expect(await store.health()).toMatchObject({ queued: 0, written: 3, dropped: 0, records: 3 });
    expect((await store.list()).records.map((r) => r.path)).toEqual(["/items/3", "/items/2", "/items/1"]);
  });

  it("keeps serving, and accounts for every record, when the database fails underneath", async () => {
    const { dir, cleanup } = tempDir();
    closers.push(cleanup);
    const path = join(dir, "failing.db");
    const records = new SqliteRecords(path);
    const warnings: string[] = [];
    const store = new WriteBehindStore(
      records,
      { ...storeOptions(path), queueLimit: 3, flushIntervalMs: 5 },
      undefined,
    );
    const { mw, running } = await startApp({ store, logger: { warn: (m) => warnings.push(m) } });
    const before = await fetch(`${running.url}/items/0`);
    await before.arrayBuffer();
    await store.flush();
    records.close(); // the database goes away under a running app

    const sent = 10;
    for (let n = 1; n <= sent; n++) {
      const res = await fetch(`${running.url}/items/${n}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ id: String(n) });
    }
    await store.flush();
    const health = await getJson<{ store: StoreHealth }>(`${running.url}/__glassbox/api/health`);
    expect(health.store.written).toBe(1);
    expect(health.store.queued + health.store.dropped).toBe(sent);
    expect(health.store.dropped).toBe(sent - 3);
    expect(health.store.writeErrors).toBeGreaterThan(0);
    expect(health.store.lastError).toMatch(/not open/i);
    // The newest records are still readable from memory while the database is gone.
    const list = await getJson<{ requests: GlassboxRecord[] }>(`${running.url}/__glassbox/api/requests`);
    expect(list.requests[0]?.path).toBe(`/items/${sent}`);
    expect(mw.glassbox).toBeDefined();
  });
});
