import { createRequire } from "node:module";
import { join } from "node:path";
import { ExplainFailure } from "../failure.js";

/**
 * Loads a driver the app has installed (drivers are optional peers of glassbox): first as the
 * app resolves it from its working directory, then as glassbox would.
 */
export function loadDriver<T>(name: string): T {
  const errors: unknown[] = [];
  for (const base of [join(process.cwd(), "package.json"), import.meta.url]) {
    try {
      return createRequire(base)(name) as T;
    } catch (error) {
      errors.push(error);
    }
  }
  throw new ExplainFailure(
    "GBX_EXPLAIN_NOT_CONFIGURED",
    `EXPLAIN needs the "${name}" package, which could not be loaded: install it, or pass a connection pool instead of a config.`,
  );
}
