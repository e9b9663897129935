import { createServer } from "node:http";
import express from "express";
import { Redis, ReplyError } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import type { CacheEvent } from "../../src/instrument/cache-event.js";
import { instrumentIoredis } from "../../src/instrument/ioredis.js";
import { type CacheData, cachePanel } from "../../src/panels/cache.js";
import { listen, type Running, recordFor, testOptions } from "../helpers/http.js";
import { serviceMissing } from "../helpers/services.js";

const P = `gb_cache_io_${process.pid}_`;

describe.skipIf(await serviceMissing("Redis", 6379))("cache panel with ioredis", () => {
  let redis: Redis;
  let running: Running;
  let mw: ReturnType<typeof glassbox>;
  const appErrors: unknown[] = [];

  beforeAll(async () => {
    redis = new Redis({ host: "127.0.0.1", port: 6379, lazyConnect: true });
    await redis.connect();
    mw = glassbox(testOptions());
    const app = express();
    app.use(mw);
    app.get("/basic", async (_req, res) => {
      const out = {
        set: await redis.set(`${P}user:1`, "alice"),
        hit: await redis.get(`${P}user:1`),
        miss: await redis.get(`${P}nobody`),
        mget: await redis.mget(`${P}user:1`, `${P}nobody`, `${P}user:1`),
        hset: await redis.hset(`${P}profile:1`, "name", "alice", "city", "Oslo"),
        hgetall: await redis.hgetall(`${P}profile:1`),
        hgetallMiss: await redis.hgetall(`${P}no-profile`),
        del: await redis.del(`${P}user:1`, `${P}profile:1`),
      };
      res.json(out);
    });
    app.get("/pipeline", async (_req, res) => {
      const replies = await redis
        .pipeline()
        .set(`${P}p:1`, "one")
        .get(`${P}p:1`)
        .get(`${P}p:missing`)
        .del(`${P}p:1`)
        .exec();
      res.json(replies);
    });
    app.get("/multi", async (_req, res) => {
      const replies = await redis
        .multi()
        .set(`${P}m:1`, "one")
        .get(`${P}m:1`)
        .get(`${P}m:missing`)
        .del(`${P}m:1`)
        .exec();
      res.json(replies);
    });
    app.get("/wrong-type", async (_req, res) => {
      await redis.set(`${P}plain`, "text");
      try {
        await redis.lpush(`${P}plain`, "x");
        res.json({ ok: true });
      } catch (error) {
        appErrors.push(error);
        res.status(409).json({ name: (error as Error).name, message: (error as Error).message });
      } finally {
        await redis.del(`${P}plain`);
      }
    });
    app.get("/multi-error", async (_req, res) => {
      try {
        res.json({
          replies: await redis.multi().set(`${P}mx`, "x").lpush(`${P}mx`, "y").get(`${P}mx`).exec(),
        });
      } catch (error) {
        res.status(409).json({ message: (error as Error).message });
      } finally {
        await redis.del(`${P}mx`);
      }
    });
    app.get("/secret", async (_req, res) => {
      await redis.set(`${P}session:abc`, "s3cr3t-value");
      const value = await redis.get(`${P}session:abc`);
      await redis.set(`${P}big`, "x".repeat(5000));
      const big = await redis.get(`${P}big`);
      await redis.del(`${P}session:abc`, `${P}big`);
      res.json({ value, bigLength: big?.length });
    });
    app.get("/n/:n", async (req, res) => {
      const n = req.params.n;
      await redis.set(`${P}c:${n}`, n);
      const hit = await redis.get(`${P}c:${n}`);
      const miss = await redis.get(`${P}c:${n}:missing`);
      await redis.del(`${P}c:${n}`);
      res.json({ hit, miss });
    });
    app.get("/overlap", async (_req, res) => {
      // One connection runs them one after the other, but both are in flight from the start.
      const replies = await Promise.all([redis.blpop(`${P}empty:a`, 0.05), redis.blpop(`${P}empty:b`, 0.05)]);
      res.json(replies);
    });
    running = await listen(createServer(app));
  });

  afterAll(async () => {
    await running?.close();
    await mw?.glassbox?.close();
    redis?.disconnect();
  });

  async function cacheOf(path: string) {
    const res = await fetch(`${running.url}${path}`);
    const body = await res.json();
    const record = await recordFor(mw.glassbox!, res);
    return { res, body, record, data: record.panels.cache?.data as CacheData };
  }

  it("records SET, GET hit and miss, MGET, HSET, HGETALL and DEL with hits, misses and durations", async () => {
    const { body, record, data } = await cacheOf("/basic");
    // The app saw the driver's own replies.
    expect(body).toEqual({
      set: "OK",
      hit: "alice",
      miss: null,
      mget: ["alice", null, "alice"],
      hset: 2,
      hgetall: { name: "alice", city: "Oslo" },
      hgetallMiss: {},
      del: 2,
    });
    const commands = data.commands.map((c) => [c.command, c.key, c.hits, c.misses]);
    expect(commands).toEqual([
      ["SET", `${P}user:1`, undefined, undefined],
      ["GET", `${P}user:1`, 1, 0],
      ["GET", `${P}nobody`, 0, 1],
      ["MGET", `${P}user:1`, 2, 1],
      ["HSET", `${P}profile:1`, undefined, undefined],
      ["HGETALL", `${P}profile:1`, 1, 0],
      ["HGETALL", `${P}no-profile`, 0, 1],
      ["DEL", `${P}user:1`, undefined, undefined],
    ]);
    expect(data.commands[0]!.args).toEqual([`${P}user:1`, "alice"]);
    expect(data.commands[1]!.result).toBe("alice");
    expect(data.commands[2]!.result).toBe("(nil)");
    expect(data.commands[5]!.result).toContain("Oslo");
    for (const c of data.commands) {
      expect(c.driver).toBe("ioredis");
      expect(c.durationMs).toBeGreaterThan(0);
      expect(c.server).toBe("127.0.0.1:6379");
      expect(c.callSite?.frame?.file).toContain("ioredis.test.ts");
    }
    // hits: GET 1 + MGET 2 + HGETALL 1 = 4; misses: GET 1 + MGET 1 + HGETALL 1 = 3
    expect(data.totals).toMatchObject({ calls: 8, hits: 4, misses: 3, errors: 0 });
    expect(data.totals.hitRatio).toBeCloseTo(4 / 7, 3);
    expect(record.stats["cache.calls"]).toBe(8);
    expect(record.stats["cache.hits"]).toBe(4);
    expect(record.stats["cache.misses"]).toBe(3);
    expect(record.stats["cache.ms"]).toBeGreaterThan(0);
    expect(record.timeline.filter((t) => t.panel === "cache")).toHaveLength(8);
    expect(record.serverTiming.find((s) => s.name === "cache")).toBeDefined();
    expect(record.panels.cache?.summary).toMatch(/^8 commands in .* ms, 57% hits$/);
    // What the toolbar shows: totals, then one row per command with its hit/miss badge.
    const shown = JSON.stringify(cachePanel.view!(data, record));
    expect(shown).toContain('"Hit ratio","57 %"');
    expect(shown).toContain(`${P}nobody`);
    expect(shown).toContain('{"type":"badge","text":"miss","tone":"warning"}');
  });

  it("counts the time of overlapping commands once in cache.ms", async () => {
    const { body, record, data } = await cacheOf("/overlap");
    expect(body).toEqual([null, null]);
    const spans = data.commands.map((c) => [c.at, c.at + c.durationMs]);
    expect(spans).toHaveLength(2);
    const [[s1, e1], [s2, e2]] = spans as [[number, number], [number, number]];
    expect(Math.max(s1, s2)).toBeLessThan(Math.min(e1, e2)); // they did overlap
    const union = Math.max(e1, e2) - Math.min(s1, s2);
    const sum = e1 - s1 + (e2 - s2);
    expect(data.totals.ms).toBeCloseTo(union, 1);
    expect(data.totals.ms).toBeLessThan(sum - 30); // not the sum: ~50 ms counted once
    expect(record.stats["cache.ms"]).toBe(data.totals.ms);
  });

  it("records each command of a pipeline with its own reply", async () => {
    const { body, data } = await cacheOf("/pipeline");
    expect(body).toEqual([
      [null, "OK"],
      [null, "one"],
      [null, null],
      [null, 1],
    ]);
    expect(data.commands.map((c) => c.command)).toEqual(["SET", "GET", "GET", "DEL"]);
    const batchIds = new Set(data.commands.map((c) => c.batch?.id));
    expect(batchIds.size).toBe(1);
    expect(data.commands.every((c) => c.batch?.kind === "pipeline")).toBe(true);
    expect([data.commands[1]!.hits, data.commands[2]!.misses]).toEqual([1, 1]);
    expect(data.totals.hitRatio).toBe(0.5);
  });

  it("records the commands of MULTI/EXEC with the replies EXEC gave", async () => {
    const { body, data } = await cacheOf("/multi");
    expect(body).toEqual([
      [null, "OK"],
      [null, "one"],
      [null, null],
      [null, 1],
    ]);
    expect(data.commands.map((c) => c.command)).toEqual(["SET", "GET", "GET", "DEL"]);
    expect(data.commands.every((c) => c.batch?.kind === "multi")).toBe(true);
    expect(data.commands[1]).toMatchObject({ hits: 1, misses: 0, result: "one" });
    expect(data.commands[2]).toMatchObject({ hits: 0, misses: 1, result: "(nil)" });
  });

  it("records a failing command and leaves the app's error untouched", async () => {
    const { res, body, record, data } = await cacheOf("/wrong-type");
    expect(res.status).toBe(409);
    expect(body.name).toBe("ReplyError");
    expect(body.message).toMatch(/^WRONGTYPE/);
    const error = appErrors.at(-1) as Error & { command?: { name: string } };
    expect(error).toBeInstanceOf(ReplyError);
    expect(error.command?.name).toBe("lpush");
    const failed = data.commands.find((c) => c.command === "LPUSH") as CacheEvent;
    expect(failed.error).toContain(body.message);
    expect(record.stats["cache.errors"]).toBe(1);
    expect(record.timeline.find((t) => t.panel === "cache" && t.error)).toBeDefined();
  });

  it("records an error inside MULTI on the failing command only", async () => {
    const { data } = await cacheOf("/multi-error");
    const mx = data.commands.filter((c) => c.key === `${P}mx` && c.batch?.kind === "multi");
    expect(mx.map((c) => [c.command, c.error === undefined])).toEqual([
      ["SET", true],
      ["LPUSH", false],
      ["GET", true],
    ]);
    expect(mx[1]!.error).toMatch(/WRONGTYPE/);
    expect(mx[2]).toMatchObject({ result: "x", hits: 1 });
  });

  it("masks values of secret-named keys and bounds long values", async () => {
    const { body, data } = await cacheOf("/secret");
    expect(body).toEqual({ value: "s3cr3t-value", bigLength: 5000 });
    const json = JSON.stringify(data);
    expect(json).not.toContain("s3cr3t-value");
    const [setSecret, getSecret, setBig, getBig] = data.commands;
    expect(setSecret!.args).toEqual([`${P}session:abc`, "[redacted]"]);
    expect(getSecret!.result).toBe("[redacted]");
    expect(setBig!.args[1]).toMatch(/^x{256}…\(\+4744 bytes\)$/);
    expect(getBig!.result).toMatch(/…\(\+4744 bytes\)$/);
    expect(setBig!.truncated).toBe(true);
  });

  it("keeps 100 concurrent requests apart: each record holds exactly its own commands", async () => {
    const ns = Array.from({ length: 100 }, (_, i) => i);
    const results = await Promise.all(ns.map((n) => cacheOf(`/n/${n}`)));
    for (const [n, { body, data }] of results.entries()) {
      expect(body).toEqual({ hit: String(n), miss: null });
      expect(data.commands.map((c) => `${c.command} ${c.key}`)).toEqual([
        `SET ${P}c:${n}`,
        `GET ${P}c:${n}`,
        `GET ${P}c:${n}:missing`,
        `DEL ${P}c:${n}`,
      ]);
      expect(data.totals).toMatchObject({ hits: 1, misses: 1, hitRatio: 0.5 });
    }
  });

  it("explicit instrumentIoredis is idempotent and its undo keeps glassbox's own hook", async () => {
    const undo = instrumentIoredis(Redis);
    const again = instrumentIoredis({ default: Redis });
    undo();
    again();
    const { data } = await cacheOf("/n/500");
    expect(data.commands).toHaveLength(4);
  });
});
