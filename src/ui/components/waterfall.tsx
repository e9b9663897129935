import type { TimelineEntry } from "../../core/record.js";

/** Rows drawn at most; the rest are counted in a marked line, so a request with 10k logs stays fast. */
const MAX_ROWS = 400;

/** Fixed colours for the usual panels; any other panel gets one picked from its name. */
const KNOWN: Record<string, number> = {
  routes: 0,
  middleware: 0,
  sql: 1,
  cache: 2,
  "http-client": 3,
  http: 3,
  templates: 4,
  logging: 5,
  log: 5,
  events: 6,
  profiler: 7,
};
const COLOURS = 8;

/** The colour class index of a panel: stable across requests and pages. */
export function panelColour(panel: string): number {
  const known = KNOWN[panel];
  if (known !== undefined) return known;
  let h = 0;
  for (let i = 0; i < panel.length; i++) h = (h * 31 + panel.charCodeAt(i)) >>> 0;
  return h % COLOURS;
}

export interface WaterfallProps {
  entries: readonly TimelineEntry[];
  /** The request's whole duration: the full width of the axis. */
  totalMs: number;
  /** Optional label for the first bar (the whole request). */
  title?: string;
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const pct = (part: number, whole: number) => Math.max(0, Math.min(100, (part / whole) * 100));

/**
 * The request's timeline on one time axis: one row per entry (SQL, cache, outbound HTTP, logs,
 * middleware...), a bar from its start for its duration, a colour per panel, and the request's
 * total as the full width. Instant entries (a log line) show as a thin marker. Text only;
 * positions are set through the CSSOM, so a strict style-src CSP is fine. Styles: waterfall.css.
 *
 * @example
 * <Waterfall entries={record.timeline} totalMs={record.durationMs} title="GET /users/42" />
 */
export function Waterfall({ entries, totalMs, title }: WaterfallProps) {
  const whole = totalMs > 0 ? totalMs : Math.max(1, ...entries.map((e) => e.startMs + e.durationMs));
  const shown = entries.slice(0, MAX_ROWS);
  const panels = [...new Set(entries.map((e) => e.panel))];
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <figure class="gb-wf" aria-label="Request timeline">
      <div class="gb-wf-legend">
        {panels.map((p) => (
          <span key={p} class="gb-wf-key">
            <span class={`gb-wf-swatch gb-wf-c${panelColour(p)}`} />
            {p}
          </span>
        ))}
      </div>
      <div class="gb-wf-row gb-wf-head">
        <div class="gb-wf-label">Event</div>
        <div class="gb-wf-track gb-wf-axis">
          {ticks.map((t) => (
            <span key={t} class="gb-wf-tick" style={{ left: `${t * 100}%` }}>
              {fmt(whole * t)} ms
            </span>
          ))}
        </div>
        <div class="gb-wf-time">Start + duration</div>
      </div>
      <div class="gb-wf-row gb-wf-total" data-panel="request">
        <div class="gb-wf-label">{title ?? "Request"}</div>
        <div class="gb-wf-track">
          <span class="gb-wf-bar gb-wf-request" style={{ left: "0%", width: "100%" }} />
        </div>
        <div class="gb-wf-time">{fmt(whole)} ms</div>
      </div>
      {shown.map((e, i) => {
        const left = pct(e.startMs, whole);
        const width = Math.min(100 - left, pct(e.durationMs, whole));
        const beyond = e.startMs + e.durationMs > whole + 0.001;
        return (
          <div key={i} class={`gb-wf-row${e.error ? " gb-wf-error" : ""}`} data-panel={e.panel}>
            <div class="gb-wf-label" title={e.label}>
              <span class="gb-wf-indent" style={{ width: `${Math.min(8, e.depth ?? 0) * 12}px` }} />
              <span class={`gb-wf-swatch gb-wf-c${panelColour(e.panel)}`} />
              <span class="gb-wf-panel">{e.panel}</span>
              <span class="gb-wf-text">{e.label}</span>
            </div>
            <div class="gb-wf-track">
              <span
                class={`gb-wf-bar gb-wf-c${panelColour(e.panel)}${e.durationMs === 0 ? " gb-wf-instant" : ""}`}
                style={{ left: `${left}%`, width: e.durationMs === 0 ? "2px" : `${width}%` }}
                title={`${e.panel}: ${e.label} — ${fmt(e.startMs)} ms + ${fmt(e.durationMs)} ms`}
              />
            </div>
            <div class="gb-wf-time">
              {fmt(e.startMs)} + {fmt(e.durationMs)} ms{beyond ? " (after the response)" : ""}
            </div>
          </div>
        );
      })}
      {entries.length > shown.length && (
        <div class="gb-wf-more">
          {entries.length - shown.length} more events not drawn (first {MAX_ROWS} shown).
        </div>
      )}
      {entries.length === 0 && <div class="gb-wf-more">No timed events were recorded for this request.</div>}
    </figure>
  );
}
