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
export { markShared } from "./core/shared.js";
export { GLASSBOX_VERSION } from "./core/version.js";
export type { ViewNode, ViewValue } from "./core/view.js";
export { view } from "./core/view.js";
export {
  EXPLAIN_FAILURES,
  ExplainFailure,
  type ExplainFailureCode,
  type ExplainResult,
  explainRecordedQuery,
  type PlanHint,
  type PlanNode,
} from "./explain/index.js";
export { instrumentBetterSqlite3 } from "./instrument/better-sqlite3.js";
export type { CacheBatch, CacheEvent } from "./instrument/cache-event.js";
export { type WatchEmitterOptions, watchEmitter } from "./instrument/events/emitter.js";
export { watchServer } from "./instrument/events/lifecycle.js";
export type { StepEvent, StepKind } from "./instrument/events/step.js";
export { event } from "./instrument/events/user.js";
export { instrumentIoredis } from "./instrument/ioredis.js";
export type { LogEvent, LogLevel } from "./instrument/log-event.js";
export { instrumentMysql2 } from "./instrument/mysql2.js";
export { instrumentPg } from "./instrument/pg.js";
export { instrumentRedis } from "./instrument/redis.js";
export type { SqlEvent, SqlSystem } from "./instrument/sql-event.js";
export type { TemplateContext, TemplateEvent } from "./instrument/template-event.js";
export { instrumentEjs } from "./instrument/templates/ejs.js";
export { instrumentExpressViews } from "./instrument/templates/express-views.js";
export { instrumentFastifyView } from "./instrument/templates/fastify-view.js";
export { instrumentHandlebars } from "./instrument/templates/handlebars.js";
export { instrumentWinston } from "./instrument/winston.js";
export type {
  AlertFinding,
  AlertRule,
  AlertsData,
  AlertsOptions,
  AlertThresholds,
  RouteBaseline,
  RuleInput,
  SetCookie,
} from "./panels/alerts/index.js";
export { DEFAULT_THRESHOLDS as DEFAULT_ALERT_THRESHOLDS, defineRule } from "./panels/alerts/index.js";
export type { CacheData, CacheTotals } from "./panels/cache.js";
export type { EventNode, EventsData } from "./panels/events/index.js";
export type { OpenApiData, Violation as OpenApiViolation } from "./panels/openapi/index.js";
export type { NPlusOneGroup, SqlGroup, SqlPanelData } from "./panels/sql/types.js";
export type { TemplatesData } from "./panels/templates.js";
export { MemoryStore } from "./store/memory.js";
export { parseQueryLanguage } from "./store/query-language.js";
export { SqliteRecords } from "./store/sqlite.js";
export type { Condition, RecordPage, RecordQuery, Store, StoreHealth } from "./store/store.js";
export { WriteBehindStore } from "./store/write-behind.js";
