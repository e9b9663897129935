export { type EventsData, eventsPanel } from "./panel.js";
export type { EventNode } from "./tree.js";
