/** A small pet store: two operations under the /api/v1 server, schemas shared through $ref. */
export function petDocument(version: "3.0.3" | "3.1.0" = "3.1.0"): Record<string, unknown> {
  const nullableTag = version === "3.0.3" ? { type: "string", nullable: true } : { type: ["string", "null"] };
  return {
    openapi: version,
    info: { title: "Pets", version: "1.0.0" },
    servers: [{ url: "http://localhost:{port}/api/v1", variables: { port: { default: "3000" } } }],
    paths: {
      "/pets": {
        post: {
          operationId: "createPet",
          tags: ["pets"],
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: "#/components/schemas/NewPet" } } },
          },
          responses: {
            "201": {
              description: "created",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Pet" } } },
            },
          },
        },
      },
      "/pets/{petId}": {
        parameters: [{ $ref: "#/components/parameters/PetId" }],
        get: {
          operationId: "getPet",
          tags: ["pets"],
          parameters: [{ name: "fields", in: "query", schema: { type: "array", items: { type: "string" } } }],
          responses: {
            "200": {
              description: "a pet",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Pet" } } },
            },
            "404": { description: "no such pet" },
          },
        },
      },
    },
    components: {
      parameters: {
        PetId: { name: "petId", in: "path", required: true, schema: { type: "integer", minimum: 1 } },
      },
      schemas: {
        NewPet: {
          type: "object",
          required: ["name"],
          properties: { name: { type: "string" }, age: { type: "integer" }, tag: nullableTag },
        },
        Pet: {
          allOf: [
            { $ref: "#/components/schemas/NewPet" },
            { type: "object", required: ["id"], properties: { id: { type: "integer" } } },
          ],
        },
      },
    },
  };
}
