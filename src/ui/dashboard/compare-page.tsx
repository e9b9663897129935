import { useEffect, useState } from "preact/hooks";
import type { GlassboxRecord, RecordSummary } from "../../core/record.js";
import {
  type Change,
  describeDelta,
  diffQueries,
  diffValues,
  type QueryShape,
  queryShapes,
  type ValueDiffRow,
} from "../../core/record-diff.js";
import type { RouteBaseline } from "../../server/compare.js";
import { formatMs, formatTime } from "../shared/format.js";
import { ApiError, api } from "./api.js";
import { hashLink } from "./router.js";

/** One side of a comparison: a stored request, or a route's baseline. */
interface Side {
  label: string;
  id?: string;
  method?: string;
  path?: string;
  route?: string;
  status?: number;
  durationMs: number;
  startedAt?: number;
  stats: Record<string, number>;
  /** Undefined when this side has no SQL panel data. */
  queries?: Map<string, QueryShape>;
  headers?: { request?: Record<string, unknown>; response?: Record<string, unknown> };
}

function recordSide(label: string, r: GlassboxRecord): Side {
  const side: Side = { label, id: r.id, durationMs: r.durationMs, startedAt: r.startedAt, stats: r.stats };
  if (r.method) side.method = r.method;
  if (r.path) side.path = r.path;
  if (r.route) side.route = r.route;
  if (r.status !== undefined) side.status = r.status;
  const queries = queryShapes(r.panels);
  if (queries) side.queries = queries;
  const headers = r.panels.headers?.data;
  if (headers && typeof headers === "object") side.headers = headers as Side["headers"] & object;
  return side;
}

function baselineSide(b: RouteBaseline): Side {
  const side: Side = {
    label: `Baseline: median of ${b.samples} recent ${b.method ?? ""} ${b.route} requests`,
    route: b.route,
    durationMs: b.durationMs,
    stats: b.stats,
  };
  if (b.method) side.method = b.method;
  if (b.status !== undefined) side.status = b.status;
  if (b.queries)
    side.queries = new Map(b.queries.map((q) => [q.sql, { count: q.count, totalMs: q.totalMs }]));
  return side;
}

/** Two requests (or a request and its route's baseline) side by side, differences highlighted. */
export function ComparePage({ params }: { params: URLSearchParams }) {
  const a = params.get("a") ?? "";
  const b = params.get("b") ?? "";
  const baseline = params.get("baseline") === "1";
  const [sides, setSides] = useState<[Side, Side] | undefined>(undefined);
  const [recordA, setRecordA] = useState<GlassboxRecord | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    let live = true;
    setSides(undefined);
    setError(undefined);
    setRecordA(undefined);
    if (!a) return;
    const fail = (e: unknown) => live && setError(e instanceof ApiError ? e.message : String(e));
    api.record(a).then((ra) => {
      if (!live) return;
      setRecordA(ra);
      if (b) {
        api.record(b).then((rb) => live && setSides([recordSide("A", ra), recordSide("B", rb)]), fail);
      } else if (baseline) {
        if (!ra.route) return fail(new Error("this request has no route, so it has no route baseline"));
        api
          .baseline(ra.route, ra.method, ra.id)
          .then((base) => live && setSides([recordSide("A", ra), baselineSide(base)]), fail);
      }
    }, fail);
    return () => {
      live = false;
    };
  }, [a, b, baseline]);

  if (!a)
    return (
      <section class="gb-compare">
        <h2>Compare</h2>
        <p>
          Tick two requests in the <a href="#/">list</a> and press “Compare selected”, or open a request and
          compare it with its route's baseline.
        </p>
      </section>
    );
  if (error) return <p class="gb-error" role="alert">{`Cannot compare: ${error}`}</p>;
  if (!b && !baseline) return recordA ? <PickOther record={recordA} /> : <p class="gb-loading">Loading…</p>;
  if (!sides) return <p class="gb-loading">Loading…</p>;
  return <Comparison a={sides[0]} b={sides[1]} />;
}

function PickOther({ record }: { record: GlassboxRecord }) {
  const [others, setOthers] = useState<RecordSummary[]>([]);
  const [typed, setTyped] = useState("");
  useEffect(() => {
    const p = new URLSearchParams({ limit: "20" });
    if (record.route) p.set("route", record.route);
    if (record.method) p.set("method", record.method);
    api.list(p).then(
      (page) => setOthers(page.requests.filter((r) => r.id !== record.id)),
      () => undefined,
    );
  }, [record]);
  return (
    <section class="gb-compare">
      <h2>
        Compare {record.method} {record.path} with…
      </h2>
      {record.route && (
        <p>
          <a class="gb-button" href={hashLink("/compare", { a: record.id, baseline: "1" })}>
            The route's baseline (median of its recent requests)
          </a>
        </p>
      )}
      <form
        class="gb-inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed.trim()) location.hash = hashLink("/compare", { a: record.id, b: typed.trim() });
        }}
      >
        <label>
          Another request's id{" "}
          <input value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Compare</button>
      </form>
      {others.length > 0 && (
        <>
          <h3>Recent requests of the same route</h3>
          <ul class="gb-pick">
            {others.map((o) => (
              <li key={o.id}>
                <a href={hashLink("/compare", { a: record.id, b: o.id })}>
                  {formatTime(o.startedAt)} {o.method} {o.path} — {o.status} in {formatMs(o.durationMs)}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

const CHANGE_TEXT: Record<Change, string> = {
  new: "only in B",
  missing: "only in A",
  more: "more often in B",
  fewer: "less often in B",
  same: "same",
};

function Comparison({ a, b }: { a: Side; b: Side }) {
  const summary: Array<ValueDiffRow & { delta?: string }> = [
    row("Method", a.method, b.method),
    row("Path", a.path, b.path),
    row("Route", a.route, b.route),
    row("Status", a.status, b.status),
    {
      ...row("Duration", formatMs(a.durationMs), formatMs(b.durationMs)),
      differs: a.durationMs !== b.durationMs,
      delta: describeDelta(a.durationMs, b.durationMs, " ms"),
    },
    row(
      "Started",
      a.startedAt === undefined ? undefined : formatTime(a.startedAt),
      b.startedAt === undefined ? undefined : formatTime(b.startedAt),
      false,
    ),
  ];
  const stats = diffValues(a.stats, b.stats).filter((r) => r.key !== "durationMs");
  const queries = a.queries && b.queries ? diffQueries(a.queries, b.queries) : undefined;
  const changedQueries = queries?.filter((q) => q.change !== "same").length ?? 0;
  return (
    <section class="gb-compare">
      <h2>Compare</h2>
      <div class="gb-sides">
        <SideTitle side={a} />
        <SideTitle side={b} />
      </div>

      <h3>Summary</h3>
      <DiffTable rows={summary} />

      <h3>Stats</h3>
      {stats.length ? (
        <DiffTable
          rows={stats.map((r) => ({ ...r, delta: describeDelta(num(r.a), num(r.b)) }))}
          empty="No stats on either side."
        />
      ) : (
        <p class="gb-muted">No stats on either side.</p>
      )}

      <h3>
        Queries{" "}
        {queries && (
          <span class={`gb-badge gb-tone-${changedQueries ? "warning" : "ok"}`}>
            {changedQueries ? `${changedQueries} differ` : "same queries"}
          </span>
        )}
      </h3>
      {queries ? (
        queries.length ? (
          <table class="gb-grid gb-query-diff">
            <thead>
              <tr>
                <th>Query (normalized)</th>
                <th class="gb-num">A count</th>
                <th class="gb-num">B count</th>
                <th class="gb-num">A time</th>
                <th class="gb-num">B time</th>
                <th>Change</th>
              </tr>
            </thead>
            <tbody>
              {queries.map((q) => (
                <tr
                  key={q.sql}
                  class={q.change === "same" ? undefined : `gb-diff gb-diff-${q.change}`}
                  data-change={q.change}
                >
                  <td>
                    <code class="gb-sql">{q.sql}</code>
                  </td>
                  <td class="gb-num">{q.a?.count ?? 0}</td>
                  <td class="gb-num">{q.b?.count ?? 0}</td>
                  <td class="gb-num">{q.a ? formatMs(q.a.totalMs) : "—"}</td>
                  <td class="gb-num">{q.b ? formatMs(q.b.totalMs) : "—"}</td>
                  <td>
                    <span
                      class={`gb-badge gb-tone-${q.change === "same" ? "muted" : q.change === "new" ? "warning" : "info"}`}
                    >
                      {CHANGE_TEXT[q.change]}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="gb-muted">Neither side ran a query.</p>
        )
      ) : (
        <p class="gb-muted">
          {!a.queries && !b.queries
            ? "Neither side has SQL panel data (no database instrumentation, or it was not installed)."
            : `${a.queries ? "B" : "A"} has no SQL panel data, so its queries cannot be compared.`}
        </p>
      )}

      {a.headers && b.headers && (
        <>
          <h3>Request headers</h3>
          <DiffTable rows={diffValues(a.headers.request, b.headers.request)} />
          <h3>Response headers</h3>
          <DiffTable rows={diffValues(a.headers.response, b.headers.response)} />
        </>
      )}
    </section>
  );
}

function row(
  key: string,
  a: string | number | undefined,
  b: string | number | undefined,
  compare = true,
): ValueDiffRow {
  const x = a === undefined ? undefined : String(a);
  const y = b === undefined ? undefined : String(b);
  return { key, a: x, b: y, differs: compare && x !== y };
}

const num = (s: string | undefined) =>
  s === undefined || s === "" || Number.isNaN(Number(s)) ? undefined : Number(s);

function SideTitle({ side }: { side: Side }) {
  return (
    <div class="gb-side">
      <span class="gb-side-label">{side.id ? `${side.label}: ` : ""}</span>
      {side.id ? (
        <a href={hashLink(`/requests/${side.id}`)}>
          {side.method} {side.path}
        </a>
      ) : (
        <span>{side.label}</span>
      )}
    </div>
  );
}

function DiffTable({ rows, empty }: { rows: Array<ValueDiffRow & { delta?: string }>; empty?: string }) {
  if (rows.length === 0) return <p class="gb-muted">{empty ?? "Nothing on either side."}</p>;
  return (
    <table class="gb-grid gb-diff-table">
      <thead>
        <tr>
          <th>Field</th>
          <th>A</th>
          <th>B</th>
          <th>Change</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr
            key={r.key}
            class={r.differs ? "gb-diff" : undefined}
            data-field={r.key}
            data-diff={r.differs ? "true" : "false"}
          >
            <th scope="row">{r.key}</th>
            <td>{r.a ?? <span class="gb-muted">—</span>}</td>
            <td>{r.b ?? <span class="gb-muted">—</span>}</td>
            <td>
              {r.differs
                ? r.delta || (r.a === undefined ? "only in B" : r.b === undefined ? "only in A" : "differs")
                : ""}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
