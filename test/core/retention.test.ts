/**
 * A recorded request's context can outlive the request: async resources created inside it keep
 * it as their context, such as the timer a keep-alive socket arms when the response ends. Once
 * the record is built, the context must no longer hold the app's request and response, or every
 * open connection keeps its last recorded request alive (and V8, seeing request objects survive,
 * starts allocating every later request's objects in the old generation).
 */
import { createServer, type IncomingMessage } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import express from "express";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox as expressGlassbox } from "../../src/adapters/express.js";
import { glassbox as fastifyGlassbox } from "../../src/adapters/fastify.js";
import type { Glassbox } from "../../src/core/glassbox.js";
import { listen, recordFor, testOptions } from "../helpers/http.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let close: (() => Promise<unknown>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** Requests `url` (fetch keeps the connection open), waits for its record, then collects garbage. */
async function requestIsFreed(url: string, gb: Glassbox, seen: WeakRef<IncomingMessage>[]): Promise<boolean> {
  const res = await fetch(url);
  await res.text();
  await recordFor(gb, res);
  // A later turn: a WeakRef dereferenced in the turn that made it keeps its target alive.
  await new Promise((resolve) => setTimeout(resolve, 10));
  gc();
  await new Promise((resolve) => setTimeout(resolve, 10));
  gc();
  expect(seen).toHaveLength(1);
  return seen[0]!.deref() === undefined;
}

describe("a recorded request's objects after its record is built", () => {
  it("are freed on Fastify while the keep-alive connection stays open", async () => {
    const plugin = fastifyGlassbox(testOptions());
    const app = Fastify();
    await app.register(plugin);
    const seen: WeakRef<IncomingMessage>[] = [];
    app.get("/items", async (request) => {
      seen.push(new WeakRef(request.raw));
      return { ok: true };
    });
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    close = () => app.close();
    expect(await requestIsFreed(`${url}/items`, plugin.glassbox!, seen)).toBe(true);
  });

  it("are freed on Express while the keep-alive connection stays open", async () => {
    const middleware = expressGlassbox(testOptions());
    const app = express();
    app.use(middleware);
    const seen: WeakRef<IncomingMessage>[] = [];
    app.get("/items/:id", (req, res) => {
      seen.push(new WeakRef(req));
      res.json({ ok: true });
    });
    const running = await listen(createServer(app));
    close = running.close;
    expect(await requestIsFreed(`${running.url}/items/7`, middleware.glassbox!, seen)).toBe(true);
  });
});
