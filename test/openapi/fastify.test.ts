import fastifySwagger from "@fastify/swagger";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/fastify.js";
import type { Glassbox } from "../../src/core/glassbox.js";
import type { OpenApiData } from "../../src/panels/openapi/index.js";
import { recordFor, testOptions } from "../helpers/http.js";

let app: FastifyInstance | undefined;
let gb: Glassbox | undefined;
afterEach(async () => {
  await app?.close();
  await gb?.close();
  app = undefined;
  gb = undefined;
});

describe("openapi panel (fastify + @fastify/swagger)", () => {
  it("validates against the document @fastify/swagger builds, passed as () => app.swagger()", async () => {
    const instance = Fastify();
    app = instance;
    const plugin = glassbox({ ...testOptions(), openapi: () => instance.swagger() });
    gb = plugin.glassbox;
    await instance.register(plugin);
    await instance.register(fastifySwagger, {
      openapi: { openapi: "3.1.0", info: { title: "Pets", version: "1" } },
    });
    instance.get(
      "/pets/:petId",
      {
        schema: {
          operationId: "getPet",
          params: { type: "object", properties: { petId: { type: "integer" } }, required: ["petId"] },
          response: {
            200: {
              type: "object",
              required: ["id", "name"],
              properties: { id: { type: "integer" }, name: { type: "string" } },
            },
          },
        },
      },
      // A string payload skips Fastify's response serializer, so the missing name reaches the client.
      async (request, reply) =>
        reply
          .type("application/json")
          .send(JSON.stringify({ id: Number((request.params as { petId: string }).petId) })),
    );
    const url = await instance.listen({ port: 0, host: "127.0.0.1" });
    const record = await recordFor(gb!, await fetch(`${url}/pets/3`));
    const data = record.panels.openapi?.data as OpenApiData;
    expect(data.operation).toMatchObject({ operationId: "getPet", path: "/pets/{petId}" });
    expect(data.violations).toEqual([
      expect.objectContaining({ direction: "response", in: "body", pointer: "/name", keyword: "required" }),
    ]);
  });
});
