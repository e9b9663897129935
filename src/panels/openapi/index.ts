export type { OpenApiData } from "./panel.js";
export { createOpenApiPanel } from "./panel.js";
export type { Violation } from "./validate.js";
