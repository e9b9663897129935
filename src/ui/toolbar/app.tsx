import type { ComponentChild } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { Badge, NodeView, PanelView } from "../components/view.js";
import { ApiError, type GlassboxApi, whenStored } from "../shared/api.js";
import { useDarkScheme } from "../shared/dark-scheme.js";
import { formatMs, plural, statusTone } from "../shared/format.js";
import type { GlassboxRecord, RecordViews, ViewNode } from "../shared/types.js";
import { POSITIONS, type Position, type Prefs, savePrefs } from "./prefs.js";
import type { TrackedCall } from "./tracker.js";

/** One request the toolbar can open: the page itself, or a call the page made. */
export interface ToolbarEntry {
  id: string;
  method?: string;
  url: string;
  status?: number;
  ms?: number;
  source: "page" | "fetch" | "xhr";
}

export interface ToolbarProps {
  prefix: string;
  /** The page's own record id (from the script tag); undefined when glassbox gave none. */
  pageId: string | undefined;
  api: GlassboxApi;
  initialPrefs: Prefs;
  storage: Storage | undefined;
  /** Subscribes to the page's fetch/XHR calls; returns the unsubscribe. */
  onCall(listener: (call: TrackedCall) => void): () => void;
}

/** Calls kept in the list; the oldest go first. */
const MAX_ENTRIES = 100;
const MIN_SIZE = 200;

type Loaded<T> = { state: "loading" } | { state: "ok"; value: T } | { state: "error"; message: string };

/** Loads values by id once each and keeps them; a 404 is retried while the record is being stored. */
function useLoader<T>(load: (id: string) => Promise<T>) {
  const [cache, setCache] = useState<Record<string, Loaded<T>>>({});
  const started = useRef(new Set<string>());
  const ensure = useCallback(
    (id: string) => {
      if (started.current.has(id)) return;
      started.current.add(id);
      setCache((c) => ({ ...c, [id]: { state: "loading" } }));
      whenStored(() => load(id)).then(
        (value) => setCache((c) => ({ ...c, [id]: { state: "ok", value } })),
        (error: Error) => {
          // Forget the failure so that selecting the request again retries.
          started.current.delete(id);
          const message =
            error instanceof ApiError && error.status === 404
              ? "Not stored yet: the request may still be running. Select it again to retry."
              : error.message;
          setCache((c) => ({ ...c, [id]: { state: "error", message } }));
        },
      );
    },
    [load],
  );
  return [cache, ensure] as const;
}

/**
 * The toolbar: a handle showing the page's time and key counts, and when opened a docked pane
 * with the page's request and its fetch/XHR calls, each panel's summary, and the chosen panel's
 * view. Rendered inside the <glassbox-toolbar> element's shadow root.
 *
 * @example
 * render(<Toolbar prefix="/__glassbox" pageId={id} api={api} initialPrefs={loadPrefs(storage)}
 *   storage={storage} onCall={subscribe} />, mount);
 */
export function Toolbar(props: ToolbarProps) {
  const { prefix, pageId, api } = props;
  const [prefs, setPrefsState] = useState<Prefs>(props.initialPrefs);
  const osDark = useDarkScheme();
  const theme = prefs.theme ?? (osDark ? "dark" : "light");
  const [open, setOpen] = useState(false);
  const [entries, setEntries] = useState<ToolbarEntry[]>(() =>
    pageId ? [{ id: pageId, url: location.pathname + location.search, source: "page" }] : [],
  );
  const [selected, setSelected] = useState<string | undefined>(pageId);
  const [panelId, setPanelId] = useState<string | undefined>(undefined);
  const [records, ensureRecord] = useLoader<GlassboxRecord>(api.record);
  const [views, ensureViews] = useLoader<RecordViews>(api.views);
  const handleRef = useRef<HTMLButtonElement>(null);
  const paneRef = useRef<HTMLElement>(null);

  const setPrefs = (next: Prefs) => {
    setPrefsState(next);
    savePrefs(props.storage, next);
  };

  useEffect(() => {
    if (pageId) ensureRecord(pageId);
  }, [pageId]);

  useEffect(
    () =>
      props.onCall((call) =>
        setEntries((list) => {
          const known = list.findIndex((e) => e.id === call.id);
          // Seen twice (wrapper and Resource Timing): keep the first, fill in what it lacked.
          if (known >= 0) {
            const merged = { ...call, ...definedOnly(list[known]!) };
            return list.map((e, i) => (i === known ? merged : e));
          }
          const next: ToolbarEntry[] = [...list, { ...call }];
          // Keep the page's own entry; drop the oldest calls.
          while (next.length > MAX_ENTRIES) next.splice(next[0]?.source === "page" ? 1 : 0, 1);
          return next;
        }),
      ),
    [],
  );

  useEffect(() => {
    if (!open) return;
    if (selected) ensureRecord(selected);
    // Calls found through Resource Timing carry no method: their records tell it.
    for (const e of entries) if (!e.method || e.status === undefined) ensureRecord(e.id);
  }, [open, selected, entries]);

  useEffect(() => {
    if (open && selected && panelId) ensureViews(selected);
  }, [open, selected, panelId]);

  useEffect(() => {
    if (open) paneRef.current?.focus();
  }, [open]);

  const close = () => {
    setOpen(false);
    // Give focus back where the keyboard user left it.
    setTimeout(() => handleRef.current?.focus(), 0);
  };

  useEffect(() => {
    const pane = paneRef.current;
    if (!open || !pane) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      event.stopPropagation();
      close();
    };
    pane.addEventListener("keydown", onKeyDown);
    return () => pane.removeEventListener("keydown", onKeyDown);
  }, [open]);

  const pageRecord = pageId ? records[pageId] : undefined;
  const current = selected ? records[selected] : undefined;
  const currentRecord = current?.state === "ok" ? current.value : undefined;

  return (
    <div
      class={`gbt-root gb-theme-${theme}`}
      data-position={prefs.position}
      data-open={open ? "true" : "false"}
    >
      {open ? (
        <section
          class="gbt-pane"
          aria-label="glassbox toolbar"
          tabIndex={-1}
          ref={paneRef}
          style={sizeStyle(prefs)}
        >
          <Resizer
            prefs={prefs}
            onResize={(size, done) =>
              done ? setPrefs({ ...prefs, size }) : setPrefsState({ ...prefs, size })
            }
          />
          <header class="gbt-header">
            <span class="gbt-brand">glassbox</span>
            <RequestLine record={currentRecord} fallback={entries.find((e) => e.id === selected)} />
            <div class="gbt-actions">
              {selected && (
                <a
                  class="gbt-link"
                  href={`${prefix}/#/requests/${encodeURIComponent(selected)}`}
                  target="_blank"
                  rel="noopener noreferrer"
                >
                  Dashboard ↗
                </a>
              )}
              <label class="gbt-select">
                <span>Dock</span>
                <select
                  value={prefs.position}
                  onChange={(e) =>
                    setPrefs({ ...prefs, position: (e.currentTarget as HTMLSelectElement).value as Position })
                  }
                >
                  {POSITIONS.map((p) => (
                    <option key={p} value={p}>
                      {p}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                class="gbt-icon"
                data-action="theme"
                aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} theme`}
                title={`Switch to ${theme === "dark" ? "light" : "dark"} theme`}
                onClick={() => setPrefs({ ...prefs, theme: theme === "dark" ? "light" : "dark" })}
              >
                {theme === "dark" ? "☀" : "☾"}
              </button>
              <button
                type="button"
                class="gbt-icon"
                data-action="close"
                aria-label="Close glassbox toolbar"
                title="Close (Esc)"
                onClick={close}
              >
                ✕
              </button>
            </div>
          </header>
          <div class="gbt-body">
            <nav class="gbt-nav" aria-label="glassbox">
              <h2 class="gbt-nav-title">Requests</h2>
              <ul class="gbt-requests">
                {entries.map((entry) => {
                  const loaded = records[entry.id];
                  const known = loaded?.state === "ok" ? loaded.value : undefined;
                  const e = {
                    ...entry,
                    method: entry.method ?? known?.method,
                    status: entry.status ?? known?.status,
                  };
                  return (
                    <li key={e.id}>
                      <button
                        type="button"
                        class="gbt-nav-item"
                        aria-current={e.id === selected ? "true" : undefined}
                        data-request-id={e.id}
                        onClick={() => {
                          setSelected(e.id);
                          ensureRecord(e.id);
                        }}
                      >
                        <span class="gbt-nav-main">
                          <span class="gbt-source">{e.source}</span>
                          {e.method ? <span class="gbt-method">{e.method}</span> : null}
                          <span class="gbt-url">{e.url}</span>
                        </span>
                        {e.status !== undefined ? (
                          <span class="gbt-nav-sub">
                            <Badge text={String(e.status)} tone={statusTone(e.status)} />
                            {e.ms !== undefined ? ` ${formatMs(e.ms)}` : ""}
                          </span>
                        ) : null}
                      </button>
                    </li>
                  );
                })}
              </ul>
              <h2 class="gbt-nav-title">Panels</h2>
              <ul class="gbt-panels">
                <li>
                  <button
                    type="button"
                    class="gbt-nav-item"
                    aria-current={panelId === undefined ? "true" : undefined}
                    data-panel="overview"
                    onClick={() => setPanelId(undefined)}
                  >
                    <span class="gbt-nav-main">Overview</span>
                  </button>
                </li>
                {currentRecord &&
                  Object.entries(currentRecord.panels).map(([id, panel]) => (
                    <li key={id}>
                      <button
                        type="button"
                        class="gbt-nav-item"
                        aria-current={panelId === id ? "true" : undefined}
                        data-panel={id}
                        onClick={() => {
                          setPanelId(id);
                          if (selected) ensureViews(selected);
                        }}
                      >
                        <span class="gbt-nav-main">{String(panel.title ?? id)}</span>
                        <span class={`gbt-nav-sub ${panel.error ? "gb-tone-error" : ""}`}>
                          {panel.error ? "failed" : String(panel.summary ?? "")}
                        </span>
                      </button>
                    </li>
                  ))}
              </ul>
            </nav>
            <div class="gbt-detail">
              <Detail record={current} panelId={panelId} views={selected ? views[selected] : undefined} />
            </div>
          </div>
        </section>
      ) : null}
      <button
        type="button"
        class="gbt-handle"
        ref={handleRef}
        aria-expanded={open}
        title={open ? "Close glassbox toolbar" : "Open glassbox toolbar"}
        onClick={() => (open ? close() : setOpen(true))}
      >
        <span class="gbt-mark" aria-hidden="true">
          ◆
        </span>
        <HandleSummary loaded={pageRecord} calls={entries.length - (pageId ? 1 : 0)} />
      </button>
    </div>
  );
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function sizeStyle(prefs: Prefs): Record<string, string> {
  if (prefs.size === undefined) return {};
  const vertical = prefs.position === "left" || prefs.position === "right";
  return vertical ? { width: `${prefs.size}px` } : { height: `${prefs.size}px` };
}

function HandleSummary({ loaded, calls }: { loaded: Loaded<GlassboxRecord> | undefined; calls: number }) {
  if (loaded?.state !== "ok") return <span class="gbt-handle-text">glassbox</span>;
  const r = loaded.value;
  const queries = r.stats["sql.queries"];
  const alerts = r.stats["alerts.count"] ?? r.alerts.length;
  const errors = r.stats["log.errors"];
  return (
    <span class="gbt-handle-text">
      <span class="gbt-stat" data-stat="time">
        {formatMs(r.durationMs)}
      </span>
      {r.status !== undefined ? <Badge text={String(r.status)} tone={statusTone(r.status)} /> : null}
      {queries !== undefined ? (
        <span class="gbt-stat" data-stat="queries">
          {plural(queries, "query", "queries")}
        </span>
      ) : null}
      {alerts ? <Badge text={plural(alerts, "alert", "alerts")} tone="warning" /> : null}
      {errors ? <Badge text={plural(errors, "error", "errors")} tone="error" /> : null}
      {calls > 0 ? (
        <span class="gbt-stat" data-stat="calls">
          +{plural(calls, "call", "calls")}
        </span>
      ) : null}
    </span>
  );
}

function RequestLine({
  record,
  fallback,
}: {
  record: GlassboxRecord | undefined;
  fallback: ToolbarEntry | undefined;
}) {
  const method = record?.method ?? fallback?.method;
  const url = record?.url ?? fallback?.url ?? "";
  const status = record?.status ?? fallback?.status;
  return (
    <span class="gbt-request-line">
      {method ? <span class="gbt-method">{method}</span> : null}
      <span class="gbt-url" title={url}>
        {url}
      </span>
      {status !== undefined ? <Badge text={String(status)} tone={statusTone(status)} /> : null}
      {record ? <span class="gbt-stat">{formatMs(record.durationMs)}</span> : null}
    </span>
  );
}

function Detail({
  record,
  panelId,
  views,
}: {
  record: Loaded<GlassboxRecord> | undefined;
  panelId: string | undefined;
  views: Loaded<RecordViews> | undefined;
}) {
  if (!record || record.state === "loading") return <p class="gb-text gb-tone-muted">Loading…</p>;
  if (record.state === "error")
    return <p class="gb-text gb-tone-error">Could not load this request: {record.message}</p>;
  const r = record.value;
  if (panelId === undefined) return <Overview record={r} />;
  const title = r.panels[panelId]?.title ?? panelId;
  let body: ComponentChild;
  if (!views || views.state === "loading") body = <p class="gb-text gb-tone-muted">Loading…</p>;
  else if (views.state === "error")
    body = <p class="gb-text gb-tone-error">Could not load this panel: {views.message}</p>;
  else body = <PanelView nodes={views.value[panelId] ?? []} />;
  return (
    <article class="gbt-panel-view" data-panel-view={panelId}>
      <h2 class="gbt-detail-title">{String(title)}</h2>
      {body}
    </article>
  );
}

function Overview({ record }: { record: GlassboxRecord }) {
  const facts: ViewNode = {
    type: "kv",
    entries: [
      ["Method", record.method ?? "—"],
      ["URL", record.url ?? "—"],
      ["Route", record.route ?? "—"],
      [
        "Status",
        record.status === undefined
          ? "—"
          : { type: "badge", text: String(record.status), tone: statusTone(record.status) },
      ],
      ["Duration", formatMs(record.durationMs)],
      ["Started", new Date(record.startedAt).toLocaleTimeString()],
      ["Record id", record.id],
    ],
  };
  const stats: ViewNode = {
    type: "table",
    columns: ["Stat", "Value"],
    rows: Object.entries(record.stats).map(([k, v]) => [k, v]),
  };
  const alerts: ViewNode[] = record.alerts.map((a) => ({
    type: "list",
    items: [
      { type: "badge", text: a.severity, tone: a.severity },
      { type: "text", text: a.message },
      ...(a.fix ? [{ type: "text" as const, text: a.fix, tone: "muted" as const }] : []),
    ],
  }));
  return (
    <article class="gbt-panel-view" data-panel-view="overview">
      <h2 class="gbt-detail-title">Overview</h2>
      <div class="gb-view">
        <NodeView node={facts} />
        {record.error ? (
          <p class="gb-text gb-tone-error">
            {record.error.name}: {record.error.message}
          </p>
        ) : null}
        {alerts.length ? (
          <NodeView
            node={{ type: "section", title: plural(alerts.length, "alert", "alerts"), children: alerts }}
          />
        ) : null}
        <NodeView node={{ type: "section", title: "Stats", children: [stats], collapsed: true }} />
      </div>
    </article>
  );
}

/** Drag (pointer) or arrow keys (keyboard) to resize the open toolbar along its docked edge. */
function Resizer({ prefs, onResize }: { prefs: Prefs; onResize: (size: number, done: boolean) => void }) {
  const vertical = prefs.position === "left" || prefs.position === "right";
  const sizeAt = (x: number, y: number) => {
    switch (prefs.position) {
      case "right":
        return innerWidth - x;
      case "left":
        return x;
      case "top":
        return y;
      case "bottom":
        return innerHeight - y;
    }
  };
  const clamp = (n: number) =>
    Math.round(Math.min(Math.max(n, MIN_SIZE), (vertical ? innerWidth : innerHeight) * 0.95));
  const currentSize = (el: HTMLElement) => {
    const pane = el.parentElement!.getBoundingClientRect();
    return vertical ? pane.width : pane.height;
  };
  const onPointerDown = (event: PointerEvent) => {
    const el = event.currentTarget as HTMLElement;
    el.setPointerCapture(event.pointerId);
    event.preventDefault();
    const move = (e: PointerEvent) => onResize(clamp(sizeAt(e.clientX, e.clientY)), false);
    const up = (e: PointerEvent) => {
      el.removeEventListener("pointermove", move);
      el.removeEventListener("pointerup", up);
      el.removeEventListener("pointercancel", up);
      onResize(clamp(sizeAt(e.clientX, e.clientY)), true);
    };
    el.addEventListener("pointermove", move);
    el.addEventListener("pointerup", up);
    el.addEventListener("pointercancel", up);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const grow = { right: "ArrowLeft", left: "ArrowRight", top: "ArrowDown", bottom: "ArrowUp" }[
      prefs.position
    ];
    const shrink = { right: "ArrowRight", left: "ArrowLeft", top: "ArrowUp", bottom: "ArrowDown" }[
      prefs.position
    ];
    if (event.key !== grow && event.key !== shrink) return;
    event.preventDefault();
    const size = currentSize(event.currentTarget as HTMLElement);
    onResize(clamp(size + (event.key === grow ? 24 : -24)), true);
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a focusable separator is the ARIA pattern for a resize handle; <hr> cannot take focus or pointer drags.
    <div
      class="gbt-resizer"
      role="separator"
      aria-orientation={vertical ? "vertical" : "horizontal"}
      aria-label="Resize glassbox toolbar"
      aria-valuenow={prefs.size}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onKeyDown={onKeyDown}
    />
  );
}
