import { createRequire } from "node:module";

type AjvModule = typeof import("ajv");
type Ajv2020Module = typeof import("ajv/dist/2020.js");
type YamlModule = typeof import("yaml");

/**
 * Ajv, ajv-formats and yaml, loaded the first time an OpenAPI document is read or compiled.
 * Imported at the top, they would sit in the heap of every app that gives glassbox no document
 * (about 1.5 MB; docs/benchmarks.md).
 */
const load = createRequire(import.meta.url);

export const ajv = (): AjvModule => load("ajv") as AjvModule;
export const ajv2020 = (): Ajv2020Module => load("ajv/dist/2020.js") as Ajv2020Module;
export const yaml = (): YamlModule => load("yaml") as YamlModule;

/** ajv-formats is CommonJS: its plugin is the module itself or its `default`, depending on the loader. */
export function addFormats(
  instance: InstanceType<AjvModule["Ajv"]> | InstanceType<Ajv2020Module["Ajv2020"]>,
): void {
  const module = load("ajv-formats") as { default?: unknown };
  ((module.default ?? module) as (a: typeof instance) => void)(instance);
}
