import { useEffect, useState } from "preact/hooks";
import type { GlassboxRecord } from "../../core/record.js";
import type { ViewNode } from "../../core/view.js";
import { JsonTree } from "../components/json-tree.js";
import { PanelView } from "../components/view.js";
import { Waterfall } from "../components/waterfall.js";
import { formatMs, formatTime, statusTone } from "../shared/format.js";
import { ApiError, api, isAbort } from "./api.js";
import { hashLink, replaceHash } from "./router.js";

/** One request: summary, alerts, the timeline waterfall and every panel. */
export function DetailPage({ id, params }: { id: string; params: URLSearchParams }) {
  const [record, setRecord] = useState<GlassboxRecord | undefined>(undefined);
  const [views, setViews] = useState<Record<string, ViewNode[]> | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    const abort = new AbortController();
    setRecord(undefined);
    setViews(undefined);
    setError(undefined);
    api.record(id, abort.signal).then(setRecord, (e: unknown) => {
      if (!isAbort(e)) setError(e instanceof ApiError ? e.message : String(e));
    });
    // Views are optional: without them each panel's data is shown as a JSON tree.
    api.views(id, abort.signal).then(setViews, () => undefined);
    return () => abort.abort();
  }, [id]);

  if (error) return <p class="gb-error" role="alert">{`Request ${id}: ${error}`}</p>;
  if (!record) return <p class="gb-loading">Loading request {id}…</p>;

  const panelIds = Object.keys(record.panels);
  const selected = params.get("panel") ?? panelIds[0];
  return (
    <article class="gb-detail">
      <header class="gb-detail-head">
        <h2>
          <span class="gb-method">{record.method ?? record.kind}</span>{" "}
          <span class="gb-detail-path">{record.path ?? record.url ?? record.id}</span>
        </h2>
        <span class={`gb-badge gb-tone-${statusTone(record.status)}`}>{record.status ?? "—"}</span>
        <span class="gb-duration">{formatMs(record.durationMs)}</span>
        <span class="gb-spacer" />
        {record.route && (
          <a class="gb-button" href={hashLink("/compare", { a: record.id, baseline: "1" })}>
            Compare with route baseline
          </a>
        )}
        <a class="gb-button" href={hashLink("/compare", { a: record.id })}>
          Compare with…
        </a>
      </header>
      <dl class="gb-summary">
        <Field name="Time" value={formatTime(record.startedAt)} />
        <Field name="Route" value={record.route} />
        <Field name="URL" value={record.url} />
        <Field name="Service" value={record.service} />
        <Field name="Kind" value={record.kind} />
        <Field name="Record id" value={record.id} />
        <Field name="Trace id" value={record.traceId} />
        {record.tags?.length ? <Field name="Tags" value={record.tags.join(", ")} /> : null}
      </dl>
      {record.error && (
        <section class="gb-error-box">
          <h3>
            {record.error.name}: {record.error.message}
          </h3>
          {record.error.stack && <pre class="gb-pre">{record.error.stack}</pre>}
        </section>
      )}
      {record.alerts.length > 0 && (
        <section class="gb-alerts">
          <h3>Alerts ({record.alerts.length})</h3>
          <ul>
            {record.alerts.map((a, i) => (
              <li key={i}>
                <span class={`gb-badge gb-tone-${a.severity === "info" ? "info" : a.severity}`}>
                  {a.severity}
                </span>{" "}
                {a.message} <span class="gb-muted">({a.rule})</span>
                {a.fix && <div class="gb-muted">{a.fix}</div>}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section class="gb-timeline">
        <h3>Timeline</h3>
        <Waterfall
          entries={record.timeline}
          totalMs={record.durationMs}
          title={`${record.method ?? ""} ${record.path ?? ""}`.trim() || "Request"}
        />
      </section>
      <section class="gb-panels">
        <h3>Panels</h3>
        <div class="gb-panels-body">
          <nav class="gb-panel-nav" aria-label="Panels">
            {panelIds.map((pid) => {
              const p = record.panels[pid]!;
              return (
                <button
                  key={pid}
                  type="button"
                  class={`gb-panel-tab${pid === selected ? " gb-active" : ""}`}
                  aria-current={pid === selected ? "true" : undefined}
                  onClick={() => replaceHash(hashLink(`/requests/${record.id}`, { panel: pid }))}
                >
                  <span class="gb-panel-title">{p.title}</span>
                  {p.error ? (
                    <span class="gb-panel-summary gb-tone-error">failed</span>
                  ) : (
                    p.summary && <span class="gb-panel-summary">{p.summary}</span>
                  )}
                </button>
              );
            })}
          </nav>
          <div class="gb-panel-content" data-panel={selected}>
            {selected && record.panels[selected] ? (
              <PanelBody panelId={selected} record={record} views={views} />
            ) : (
              <p class="gb-muted">No panel data on this record.</p>
            )}
          </div>
        </div>
      </section>
    </article>
  );
}

function PanelBody(props: {
  panelId: string;
  record: GlassboxRecord;
  views: Record<string, ViewNode[]> | undefined;
}) {
  const panel = props.record.panels[props.panelId]!;
  const nodes = props.views?.[props.panelId];
  return (
    <div>
      <h4>{panel.title}</h4>
      {panel.error !== undefined ? (
        <p class="gb-error">This panel failed for this request: {panel.error}</p>
      ) : nodes ? (
        <PanelView nodes={nodes} />
      ) : (
        <div class="gb-view">
          <JsonTree value={panel.data ?? null} openDepth={2} />
        </div>
      )}
    </div>
  );
}

function Field({ name, value }: { name: string; value: string | undefined }) {
  if (value === undefined || value === "") return null;
  return (
    <div class="gb-field">
      <dt>{name}</dt>
      <dd>{value}</dd>
    </div>
  );
}
