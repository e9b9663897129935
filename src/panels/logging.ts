import { definePanel } from "../core/panel.js";
import type { TimelineEntry } from "../core/record.js";
import { type ViewNode, view } from "../core/view.js";
import { watchAppModules } from "../instrument/app-module.js";
import { instrumentConsole } from "../instrument/console.js";
import type { LogEvent, LogLevel } from "../instrument/log-event.js";
import { instrumentPino } from "../instrument/pino.js";
import { instrumentWinston } from "../instrument/winston.js";

export interface LoggingData {
  records: LogEvent[];
  counts: Partial<Record<LogLevel, number>>;
}

/** console.*, pino and winston records made during the request, with level, time and call site. */
export const loggingPanel = definePanel<undefined, LoggingData>({
  id: "logging",
  title: "Logs",
  view: loggingView,
  setup() {
    const undo = [
      instrumentConsole(),
      instrumentPino(),
      watchAppModules([{ name: "winston", instrument: instrumentWinston }]),
    ];
    return () => {
      for (const u of undo) u();
    };
  },
  finish(ctx) {
    const records = ctx.events("log");
    if (records.length === 0 && ctx.kind !== "request") return undefined;
    const counts: Partial<Record<LogLevel, number>> = {};
    const timeline: TimelineEntry[] = [];
    for (const r of records) {
      counts[r.level] = (counts[r.level] ?? 0) + 1;
      timeline.push({
        panel: "logging",
        label: `${r.level}: ${r.message.slice(0, 80)}`,
        startMs: r.at,
        durationMs: 0,
      });
    }
    const errors = (counts.error ?? 0) + (counts.fatal ?? 0);
    return {
      data: { records: [...records], counts },
      summary: records.length
        ? `${records.length} records${errors ? `, ${errors} errors` : ""}`
        : "no records",
      stats: { "log.records": records.length, "log.errors": errors, "log.warnings": counts.warn ?? 0 },
      timeline,
    };
  },
});

const LEVEL_TONE = {
  trace: "muted",
  debug: "muted",
  info: "info",
  warn: "warning",
  error: "error",
  fatal: "error",
} as const;

function loggingView(data: LoggingData): ViewNode[] {
  if (data.records.length === 0) return [view.text("Nothing was logged during this request.", "muted")];
  return [
    view.table(
      ["Time", "Level", "Message", "Source", "Where"],
      data.records.map((r) => [
        `+${r.at.toFixed(1)} ms`,
        view.badge(r.level, LEVEL_TONE[r.level]),
        r.data === undefined
          ? `${r.message}${r.truncated ? " … (truncated)" : ""}`
          : { type: "list", items: [view.text(r.message), view.json(r.data)] },
        r.logger ? `${r.source} (${r.logger})` : r.source,
        r.callSite ? { type: "stack", frames: [r.callSite] } : "",
      ]),
    ),
  ];
}
