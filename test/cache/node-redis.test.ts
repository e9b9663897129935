import { createServer } from "node:http";
import express from "express";
import * as redisModule from "redis";
import { createClient, ErrorReply } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import type { CacheEvent } from "../../src/instrument/cache-event.js";
import { instrumentRedis } from "../../src/instrument/redis.js";
import type { CacheData } from "../../src/panels/cache.js";
import { listen, type Running, recordFor, testOptions } from "../helpers/http.js";
import { serviceMissing } from "../helpers/services.js";

const P = `gb_cache_nr_${process.pid}_`;

describe.skipIf(await serviceMissing("Redis", 6379))("cache panel with node-redis", () => {
  let client: ReturnType<typeof createClient>;
  let running: Running;
  let mw: ReturnType<typeof glassbox>;
  const appErrors: unknown[] = [];

  beforeAll(async () => {
    client = createClient({ url: "redis://127.0.0.1:6379" });
    await client.connect();
    mw = glassbox(testOptions());
    const app = express();
    app.use(mw);
    app.get("/basic", async (_req, res) => {
      const out = {
        set: await client.set(`${P}user:1`, "alice"),
        hit: await client.get(`${P}user:1`),
        miss: await client.get(`${P}nobody`),
        mget: await client.mGet([`${P}user:1`, `${P}nobody`, `${P}user:1`]),
        hset: await client.hSet(`${P}profile:1`, { name: "alice", city: "Oslo" }),
        hgetall: await client.hGetAll(`${P}profile:1`),
        hgetallMiss: await client.hGetAll(`${P}no-profile`),
        exists: await client.exists([`${P}profile:1`, `${P}nobody`]),
        del: await client.del([`${P}user:1`, `${P}profile:1`]),
      };
      res.json(out);
    });
    app.get("/pipeline", async (_req, res) => {
      const replies = await client
        .multi()
        .set(`${P}p:1`, "one")
        .get(`${P}p:1`)
        .get(`${P}p:missing`)
        .del(`${P}p:1`)
        .execAsPipeline();
      res.json(replies);
    });
    app.get("/multi", async (_req, res) => {
      const replies = await client
        .multi()
        .set(`${P}m:1`, "one")
        .get(`${P}m:1`)
        .get(`${P}m:missing`)
        .del(`${P}m:1`)
        .exec();
      res.json(replies);
    });
    app.get("/wrong-type", async (_req, res) => {
      await client.set(`${P}plain`, "text");
      try {
        await client.lPush(`${P}plain`, "x");
        res.json({ ok: true });
      } catch (error) {
        appErrors.push(error);
        res.status(409).json({ message: (error as Error).message });
      } finally {
        await client.del(`${P}plain`);
      }
    });
    app.get("/multi-error", async (_req, res) => {
      try {
        res.json({
          replies: await client.multi().set(`${P}mx`, "x").lPush(`${P}mx`, "y").get(`${P}mx`).exec(),
        });
      } catch (error) {
        res.status(409).json({ message: (error as Error).message });
      } finally {
        await client.del(`${P}mx`);
      }
    });
    app.get("/secret", async (_req, res) => {
      await client.hSet(`${P}account:1`, { email: "a@example.com", password: "hunter2" });
      const account = await client.hGetAll(`${P}account:1`);
      await client.del(`${P}account:1`);
      res.json(account);
    });
    app.get("/n/:n", async (req, res) => {
      const n = req.params.n;
      await client.set(`${P}c:${n}`, n);
      const hit = await client.get(`${P}c:${n}`);
      const miss = await client.get(`${P}c:${n}:missing`);
      await client.del(`${P}c:${n}`);
      res.json({ hit, miss });
    });
    running = await listen(createServer(app));
  });

  afterAll(async () => {
    await running?.close();
    await mw?.glassbox?.close();
    await client?.close();
  });

  async function cacheOf(path: string) {
    const res = await fetch(`${running.url}${path}`);
    const body = await res.json();
    const record = await recordFor(mw.glassbox!, res);
    return { res, body, record, data: record.panels.cache?.data as CacheData };
  }

  it("records SET, GET hit and miss, MGET, HSET, HGETALL, EXISTS and DEL with hits, misses and durations", async () => {
    const { body, record, data } = await cacheOf("/basic");
    expect(body).toEqual({
      set: "OK",
      hit: "alice",
      miss: null,
      mget: ["alice", null, "alice"],
      hset: 2,
      hgetall: { name: "alice", city: "Oslo" },
      hgetallMiss: {},
      exists: 1,
      del: 2,
    });
    expect(data.commands.map((c) => [c.command, c.key, c.hits, c.misses])).toEqual([
      ["SET", `${P}user:1`, undefined, undefined],
      ["GET", `${P}user:1`, 1, 0],
      ["GET", `${P}nobody`, 0, 1],
      ["MGET", `${P}user:1`, 2, 1],
      ["HSET", `${P}profile:1`, undefined, undefined],
      ["HGETALL", `${P}profile:1`, 1, 0],
      ["HGETALL", `${P}no-profile`, 0, 1],
      ["EXISTS", `${P}profile:1`, 1, 1],
      ["DEL", `${P}user:1`, undefined, undefined],
    ]);
    expect(data.commands[4]!.args).toEqual([`${P}profile:1`, "name", "alice", "city", "Oslo"]);
    for (const c of data.commands) {
      expect(c.driver).toBe("node-redis");
      expect(c.durationMs).toBeGreaterThan(0);
      expect(c.server).toBe("127.0.0.1:6379");
      expect(c.callSite?.frame?.file).toContain("node-redis.test.ts");
    }
    // hits: 1 + 2 + 1 + 1 = 5; misses: 1 + 1 + 1 + 1 = 4
    expect(data.totals).toMatchObject({ calls: 9, hits: 5, misses: 4, errors: 0 });
    expect(record.stats["cache.hitRatio"]).toBeCloseTo(5 / 9, 3);
    expect(record.stats["cache.ms"]).toBeGreaterThan(0);
    expect(record.timeline.filter((t) => t.panel === "cache")).toHaveLength(9);
  });

  it("records each command of a pipeline with its own reply", async () => {
    const { body, data } = await cacheOf("/pipeline");
    expect(body).toEqual(["OK", "one", null, 1]);
    expect(data.commands.map((c) => c.command)).toEqual(["SET", "GET", "GET", "DEL"]);
    expect(new Set(data.commands.map((c) => c.batch?.id)).size).toBe(1);
    expect(data.commands.every((c) => c.batch?.kind === "pipeline")).toBe(true);
    expect([data.commands[1]!.hits, data.commands[2]!.misses]).toEqual([1, 1]);
    expect(data.totals.hitRatio).toBe(0.5);
  });

  it("records the commands of MULTI/EXEC with the replies EXEC gave", async () => {
    const { body, data } = await cacheOf("/multi");
    expect(body).toEqual(["OK", "one", null, 1]);
    expect(data.commands.map((c) => c.command)).toEqual(["SET", "GET", "GET", "DEL"]);
    expect(data.commands.every((c) => c.batch?.kind === "multi")).toBe(true);
    expect(data.commands[1]).toMatchObject({ hits: 1, misses: 0, result: "one" });
    expect(data.commands[2]).toMatchObject({ hits: 0, misses: 1, result: "(nil)" });
  });

  it("records a failing command and leaves the app's error untouched", async () => {
    const { res, body, record, data } = await cacheOf("/wrong-type");
    expect(res.status).toBe(409);
    expect(body.message).toMatch(/^WRONGTYPE/);
    expect(appErrors.at(-1)).toBeInstanceOf(ErrorReply);
    const failed = data.commands.find((c) => c.command === "LPUSH") as CacheEvent;
    expect(failed.error).toContain(body.message);
    expect(record.stats["cache.errors"]).toBe(1);
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

  it("masks secret-named hash fields in arguments and replies", async () => {
    const { body, data } = await cacheOf("/secret");
    expect(body).toEqual({ email: "a@example.com", password: "hunter2" });
    expect(JSON.stringify(data)).not.toContain("hunter2");
    expect(data.commands[0]!.args).toEqual([
      `${P}account:1`,
      "email",
      "a@example.com",
      "password",
      "[redacted]",
    ]);
    expect(data.commands[1]!.result).toContain("a@example.com");
    expect(data.commands[1]!.result).toContain("[redacted]");
  });

  it("keeps 100 concurrent requests apart: each record holds exactly its own commands", async () => {
    const results = await Promise.all(Array.from({ length: 100 }, (_, n) => cacheOf(`/n/${n}`)));
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

  it("explicit instrumentRedis is idempotent (module, class or client) and its undo keeps glassbox's own hook", async () => {
    const undo = [
      instrumentRedis(redisModule),
      instrumentRedis(redisModule.RedisClient),
      instrumentRedis(client),
    ];
    const { data } = await cacheOf("/n/500");
    expect(data.commands).toHaveLength(4);
    for (const u of undo) u();
    const after = await cacheOf("/n/501");
    expect(after.data.commands).toHaveLength(4);
  });
});
