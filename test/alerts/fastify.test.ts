import fastifyHelmet from "@fastify/helmet";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/fastify.js";
import type { Glassbox } from "../../src/core/glassbox.js";
import { recordFor, testOptions } from "../helpers/http.js";
import { PAGE, rules } from "./support.js";

let app: FastifyInstance | undefined;
let gb: Glassbox | undefined;
afterEach(async () => {
  await app?.close();
  await gb?.close();
  app = undefined;
  gb = undefined;
});

const HEADER_RULES = [
  "headers.csp-missing",
  "headers.nosniff-missing",
  "headers.frame-protection-missing",
  "headers.referrer-policy-missing",
];

async function start(withHelmet: boolean): Promise<string> {
  const plugin = glassbox(testOptions());
  gb = plugin.glassbox;
  app = Fastify();
  await app.register(plugin);
  if (withHelmet) await app.register(fastifyHelmet);
  app.get("/", async (_request, reply) => reply.type("text/html").send(PAGE));
  return app.listen({ port: 0, host: "127.0.0.1" });
}

describe("security header alerts (fastify)", () => {
  it("an app without security headers raises each header alert", async () => {
    const url = await start(false);
    const record = await recordFor(gb!, await fetch(`${url}/`));
    for (const rule of HEADER_RULES) expect(rules(record), rule).toContain(rule);
  });

  it("@fastify/helmet clears them", async () => {
    const url = await start(true);
    const record = await recordFor(gb!, await fetch(`${url}/`));
    for (const rule of HEADER_RULES) expect(rules(record), rule).not.toContain(rule);
  });
});
