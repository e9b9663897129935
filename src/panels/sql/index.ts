export { sqlPanel } from "./panel.js";
