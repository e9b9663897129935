/**
 * The record schema: the unit every reader (dashboard, toolbar, MCP, exporters, budgets) sees.
 * Plain JSON only. Bump RECORD_SCHEMA when a field changes meaning; readers migrate old rows.
 */

export const RECORD_SCHEMA = 1 as const;

/** What a record describes. Only "request" and "background" are produced today; the rest are reserved. */
export type RecordKind = "request" | "background" | "job" | "websocket" | "span";

/** A link from one record to another (a job enqueued by a request, a span's parent in another service). */
export interface RecordLink {
  kind: "parent" | "enqueued-by" | "follows" | "related";
  recordId?: string;
  traceId?: string;
  spanId?: string;
}

/** One bar on the request's timeline waterfall. Times are milliseconds from the record's start. */
export interface TimelineEntry {
  /** Which panel produced it ("sql", "cache", "log", "events", ...). */
  panel: string;
  label: string;
  startMs: number;
  durationMs: number;
  /** Nesting depth for middleware trees; 0 when flat. */
  depth?: number;
  error?: boolean;
}

export type AlertSeverity = "info" | "warning" | "error";

export interface Alert {
  /** Stable rule id, e.g. "headers.csp-missing". */
  rule: string;
  severity: AlertSeverity;
  message: string;
  evidence?: Record<string, string | number | boolean | null>;
  fix?: string;
  docs?: string;
}

export interface ServerTimingEntry {
  name: string;
  durationMs?: number;
  description?: string;
}

/** What one panel stored for one record. `data` is whatever JSON the panel produces. */
export interface PanelRecord {
  title: string;
  /** One line for the toolbar's nav list ("12 queries in 31 ms"). */
  summary?: string;
  data?: unknown;
  /** Set when the panel failed for this record; the rest of the record is still valid. */
  error?: string;
}

export interface ErrorSnapshot {
  name: string;
  message: string;
  stack?: string;
  status?: number;
}

/** A bounded copy of a body. `truncated` tells the reader that `text` is not the whole body. */
export interface BodyPreview {
  text: string;
  /** Total size in bytes when known. */
  bytes?: number;
  truncated: boolean;
  /** "utf8" for text; "base64" when the bytes were not valid text. */
  encoding: "utf8" | "base64";
  contentType?: string;
}

/** The stored record: a summary row plus every panel's data. */
export interface GlassboxRecord {
  schema: typeof RECORD_SCHEMA;
  id: string;
  kind: RecordKind;
  /** Service name, so many apps can share one store (config `service`, default package name). */
  service: string;
  /** W3C trace context: continued from an incoming `traceparent` header when present. */
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  links?: RecordLink[];
  /** Epoch milliseconds. */
  startedAt: number;
  durationMs: number;
  method?: string;
  url?: string;
  path?: string;
  /** The matched route pattern ("/users/:id"), when the framework tells. */
  route?: string;
  status?: number;
  error?: ErrorSnapshot;
  /**
   * Flat numbers panels contribute under dotted keys ("sql.queries", "alerts.count").
   * Lists, filters, budgets and MCP read these without opening panels.
   */
  stats: Record<string, number>;
  /** Alerts raised by any panel; the alerts panel adds its rules' findings here. */
  alerts: Alert[];
  timeline: TimelineEntry[];
  serverTiming: ServerTimingEntry[];
  panels: Record<string, PanelRecord>;
  /** Free-form labels (deep mode, sampling reason, tags the user added). */
  tags?: string[];
}

/** The list view of a record: everything but panels and timeline. */
export type RecordSummary = Omit<GlassboxRecord, "panels" | "timeline" | "serverTiming" | "alerts"> & {
  alertCount: number;
};

export function summarize(record: GlassboxRecord): RecordSummary {
  const { panels: _p, timeline: _t, serverTiming: _s, alerts, ...rest } = record;
  return { ...rest, alertCount: alerts.length };
}
