import { createRequire } from "node:module";
import { definePanel } from "../core/panel.js";
import type { TimelineEntry } from "../core/record.js";
import { type ViewNode, view } from "../core/view.js";
import { watchAppModules } from "../instrument/app-module.js";
import type { TemplateEvent } from "../instrument/template-event.js";
import { instrumentEjs } from "../instrument/templates/ejs.js";
import { instrumentExpressViews } from "../instrument/templates/express-views.js";
import { instrumentHandlebars } from "../instrument/templates/handlebars.js";

export interface TemplatesData {
  /** Every render in start order; includes and partials name their parent in `parentId`. */
  renders: TemplateEvent[];
  totals: {
    /** Views rendered (res.render, reply.view, ...), includes and partials not counted. */
    views: number;
    /** Renders of any kind, includes and partials counted. */
    renders: number;
    /** Time spent rendering views (top-level renders only, so nested time is not counted twice). */
    ms: number;
    errors: number;
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Templates rendered during the request: name, engine, time, data keys, and what they included. */
export const templatesPanel = definePanel<undefined, TemplatesData>({
  id: "templates",
  title: "Templates",
  view: templatesView,
  setup() {
    return watchAppModules([
      // Express's View class, which every res.render passes through (loaded with Express).
      {
        name: "express",
        instrument: (_express, file) => instrumentExpressViews(createRequire(file)("./lib/view")),
      },
      { name: "ejs", instrument: instrumentEjs },
      { name: "handlebars", via: "express-handlebars", instrument: instrumentHandlebars },
    ]);
  },
  serverTiming(ctx) {
    const renders = ctx.events("template");
    if (renders.length === 0) return undefined;
    return [{ name: "templates", durationMs: round(topLevelMs(renders)), description: "template rendering" }];
  },
  finish(ctx) {
    const renders = [...ctx.events("template")].sort((a, b) => a.at - b.at || a.id - b.id);
    if (renders.length === 0 && ctx.kind !== "request") return undefined;
    const depths = depthsOf(renders);
    const timeline: TimelineEntry[] = renders.map((r) => {
      const entry: TimelineEntry = {
        panel: "templates",
        label: `${r.kind === "view" ? "render" : r.kind} ${r.name}`,
        startMs: r.at,
        durationMs: r.durationMs,
        depth: depths.get(r.id) ?? 0,
      };
      if (r.error) entry.error = true;
      return entry;
    });
    const totals = {
      views: renders.filter((r) => r.kind === "view").length,
      renders: renders.length,
      ms: round(topLevelMs(renders)),
      errors: renders.filter((r) => r.error).length,
    };
    return {
      data: { renders, totals },
      summary: renders.length
        ? `${totals.renders} ${totals.renders === 1 ? "render" : "renders"} in ${totals.ms.toFixed(1)} ms`
        : "no templates",
      stats: {
        "templates.renders": totals.renders,
        "templates.ms": totals.ms,
        "templates.errors": totals.errors,
      },
      timeline,
    };
  },
});

/** Sum of the renders that have no recorded parent: nested time is inside its parent's. */
function topLevelMs(renders: readonly TemplateEvent[]): number {
  const ids = new Set(renders.map((r) => r.id));
  let ms = 0;
  for (const r of renders) if (r.parentId === undefined || !ids.has(r.parentId)) ms += r.durationMs;
  return ms;
}

function depthsOf(renders: readonly TemplateEvent[]): Map<number, number> {
  const byId = new Map(renders.map((r) => [r.id, r]));
  const depths = new Map<number, number>();
  const depthOf = (r: TemplateEvent, guard = 0): number => {
    const known = depths.get(r.id);
    if (known !== undefined) return known;
    const parent = r.parentId !== undefined ? byId.get(r.parentId) : undefined;
    const d = parent && guard < 50 ? depthOf(parent, guard + 1) + 1 : 0;
    depths.set(r.id, d);
    return d;
  };
  for (const r of renders) depthOf(r);
  return depths;
}

function templatesView(data: TemplatesData): ViewNode[] {
  if (data.renders.length === 0)
    return [view.text("No templates were rendered during this request.", "muted")];
  const depths = depthsOf(data.renders);
  const nodes: ViewNode[] = [
    view.kv([
      ["Views", data.totals.views],
      ["Renders (with includes and partials)", data.totals.renders],
      ["Time", `${data.totals.ms.toFixed(1)} ms`],
      ["Errors", data.totals.errors],
    ]),
    view.table(
      ["Start", "Template", "Kind", "Engine", "Time", "Where"],
      data.renders.map((r) => [
        `+${r.at.toFixed(1)} ms`,
        `${"  ".repeat(depths.get(r.id) ?? 0)}${r.name}${r.error ? ` (error: ${r.error})` : ""}`,
        r.kind,
        r.engine ?? r.source,
        `${r.durationMs.toFixed(2)} ms`,
        r.callSite ? { type: "stack", frames: [r.callSite] } : (r.file ?? ""),
      ]),
    ),
  ];
  for (const r of data.renders) {
    if (!r.context || r.context.keys.length === 0) continue;
    nodes.push(
      view.section(
        `Context of ${r.name}`,
        [
          view.table(
            ["Key", "Value"],
            r.context.keys.map((k) => [k, r.context!.values[k] ?? ""]),
            r.context.truncated ? "Long values are cut to templates.maxValueBytes." : undefined,
          ),
        ],
        true,
      ),
    );
  }
  return nodes;
}
