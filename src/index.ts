/**
 * glassbox: see inside your running Node.js web app.
 *
 * Framework middleware lives in the subpath exports: glassbox/express, glassbox/fastify,
 * glassbox/koa, glassbox/hono and glassbox/node. This entry exports the core: types for custom
 * panels, the context API, the store, and explicit instrumentations.
 */

export type { AllowRule, GlassboxConfig, GlassboxOptions } from "./core/config.js";
export { resolveConfig } from "./core/config.js";
export type {
  AppInfo,
  BaseEvent,
  EventType,
  GlassboxEvents,
  RequestSnapshot,
  ResponseSnapshot,
  RouteInfo,
} from "./core/context.js";
export {
  activeContext,
  currentRequestId,
  getContext,
  RequestContext,
  tryGetContext,
} from "./core/context.js";
export type { ErrorCode, Logger, WarningCode } from "./core/errors.js";
export { ERRORS, GlassboxError, WARNINGS } from "./core/errors.js";
export { Glassbox } from "./core/glassbox.js";
export type { Panel, PanelOutput, PanelSetup } from "./core/panel.js";
export { definePanel } from "./core/panel.js";
export type {
  Alert,
  AlertSeverity,
  BodyPreview,
  ErrorSnapshot,
  GlassboxRecord,
  PanelRecord,
  RecordKind,
  RecordLink,
  RecordSummary,
  ServerTimingEntry,
  TimelineEntry,
} from "./core/record.js";
export { RECORD_SCHEMA } from "./core/record.js";
export { GLASSBOX_VERSION } from "./core/version.js";
export type { LogEvent, LogLevel } from "./instrument/log-event.js";
export { instrumentWinston } from "./instrument/winston.js";
export { MemoryStore } from "./store/memory.js";
export { parseQueryLanguage } from "./store/query-language.js";
export { SqliteRecords } from "./store/sqlite.js";
export type { Condition, RecordPage, RecordQuery, Store, StoreHealth } from "./store/store.js";
export { WriteBehindStore } from "./store/write-behind.js";
