import type { RequestContext } from "./context.js";
import type { Glassbox } from "./glassbox.js";
import type { PanelOutput } from "./panel.js";
import { type GlassboxRecord, type PanelRecord, RECORD_SCHEMA, type ServerTimingEntry } from "./record.js";
import { redactUrl } from "./redact.js";

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * Turns a finished context into the stored record: runs every panel's `finish` inside the safe
 * wrapper, merges their stats, alerts and timeline, and masks the URL. Panels mask their own data.
 */
export function buildRecord(gb: Glassbox, ctx: RequestContext): GlassboxRecord {
  const durationMs = round(ctx.durationMs);
  const req = ctx.request;
  const record: GlassboxRecord = {
    schema: RECORD_SCHEMA,
    id: ctx.id,
    kind: ctx.kind,
    service: gb.config.service,
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    startedAt: ctx.startedAt,
    durationMs,
    stats: { durationMs },
    alerts: [],
    timeline: [],
    serverTiming: [],
    panels: {},
  };
  if (ctx.parentSpanId) record.parentSpanId = ctx.parentSpanId;
  if (ctx.links) record.links = ctx.links;
  if (req) {
    record.method = req.method;
    record.url = redactUrl(req.url, gb.redact);
    record.path = req.path;
  }
  if (ctx.route) record.route = ctx.route;
  if (ctx.response) record.status = ctx.response.status;
  if (ctx.error) record.error = ctx.error;
  if (ctx.flags.size) record.tags = [...ctx.flags];
  if (ctx.tags) record.tags = [...(record.tags ?? []), ...ctx.tags];

  const earlier = new Map<string, PanelOutput>();
  const panels = gb.panels;
  for (let i = 0; i < panels.length; i++) {
    const panel = panels[i]!;
    let output: PanelOutput | undefined;
    try {
      output = panel.finish(ctx, ctx.panelState[i], earlier);
    } catch (error) {
      record.panels[panel.id] = { title: panel.title, error: gb.panelFailed(panel, error) };
      continue;
    }
    if (!output) continue;
    earlier.set(panel.id, output);
    // Built field by field: no throwaway objects per panel on this per-request path.
    const stored: PanelRecord = { title: panel.title };
    if (output.summary) stored.summary = output.summary;
    if (output.data !== undefined) stored.data = output.data;
    record.panels[panel.id] = stored;
    if (output.stats) Object.assign(record.stats, output.stats);
    if (output.alerts) record.alerts.push(...output.alerts);
    if (output.timeline) record.timeline.push(...output.timeline);
  }
  record.stats["alerts.count"] = record.alerts.length;
  if (ctx.dropped) {
    for (const [type, n] of Object.entries(ctx.dropped)) record.stats[`dropped.${type}`] = n;
  }
  record.timeline.sort((a, b) => a.startMs - b.startMs);
  record.serverTiming = serverTimingEntries(gb, ctx, durationMs);
  return record;
}

function serverTimingEntries(gb: Glassbox, ctx: RequestContext, totalMs: number): ServerTimingEntry[] {
  const entries: ServerTimingEntry[] = [
    { name: "total", durationMs: round(totalMs), description: "glassbox: whole request" },
  ];
  const panels = gb.panels;
  for (let i = 0; i < panels.length; i++) {
    const fn = panels[i]!.serverTiming;
    if (!fn) continue;
    try {
      const more = fn.call(panels[i], ctx, ctx.panelState[i]);
      if (more) entries.push(...more);
    } catch (error) {
      gb.panelFailed(panels[i]!, error);
    }
  }
  return entries;
}

const TOKEN = /[^!#$%&'*+\-.^_`|~0-9A-Za-z]/g;

/** The Server-Timing header value at the moment the response headers are written. */
export function serverTimingHeader(gb: Glassbox, ctx: RequestContext): string {
  return serverTimingEntries(gb, ctx, ctx.durationMs)
    .map((e) => {
      let s = e.name.replace(TOKEN, "_");
      if (e.durationMs !== undefined) s += `;dur=${round(e.durationMs)}`;
      if (e.description) s += `;desc="${e.description.replace(/["\\]/g, "")}"`;
      return s;
    })
    .concat(
      // The record id, readable from the Resource Timing API: the toolbar finds the page's
      // fetch/XHR calls made before its script loaded (ids are [\w-], no quoting needed).
      `glassbox-id;desc="${ctx.id}"`,
    )
    .join(", ");
}
