// The shapes the browser UI reads from glassbox's JSON API: the server's own types, so the
// toolbar, the dashboard and the API can never disagree. Type-only: nothing is bundled.

export type {
  Alert,
  GlassboxRecord,
  PanelRecord,
  RecordSummary,
  TimelineEntry,
} from "../../core/record.js";
export type { ActionNode, ViewNode, ViewValue } from "../../core/view.js";
export type { ExplainResult } from "../../explain/explain-query.js";

import type { ViewNode } from "../../core/view.js";

/** `GET {prefix}/api/requests/:id/views`: every panel's view of one record, by panel id. */
export type RecordViews = Record<string, ViewNode[]>;

/** A tone shared by text and badge nodes. */
export type Tone = "muted" | "info" | "warning" | "error" | "ok";
