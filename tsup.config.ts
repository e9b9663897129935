import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "adapters/express": "src/adapters/express.ts",
    "adapters/fastify": "src/adapters/fastify.ts",
    "adapters/koa": "src/adapters/koa.ts",
    "adapters/hono": "src/adapters/hono.ts",
    "adapters/node-http": "src/adapters/node-http.ts",
    register: "src/register.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  shims: true,
  target: "node20",
  splitting: true,
});
