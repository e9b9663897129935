import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { RecordSummary } from "../../core/record.js";
import { formatCount, formatMs, formatTime, statusTone } from "../shared/format.js";
import { ApiError, api, isAbort, type RecordingHealth } from "./api.js";
import { apiParams, filtersToHash, type ListFilters, PAGE_SIZES, readFilters } from "./filters.js";
import { useLiveRequests } from "./live.js";
import { hashLink, replaceHash } from "./router.js";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
/** Typing pauses this long before the list refreshes. */
const TYPE_DELAY_MS = 300;
/** Live refreshes happen at most this often, however busy the app. */
const LIVE_REFRESH_MS = 700;
/** `/api/health` (for the overhead notice) is read at most this often. */
const HEALTH_REFRESH_MS = 3000;

const COLUMNS: Array<{ key: string; label: string; sort?: string; numeric?: boolean }> = [
  { key: "time", label: "Time", sort: "startedAt" },
  { key: "method", label: "Method", sort: "method" },
  { key: "path", label: "Path", sort: "path" },
  { key: "route", label: "Route", sort: "route" },
  { key: "status", label: "Status", sort: "status", numeric: true },
  { key: "duration", label: "Duration", sort: "durationMs", numeric: true },
  { key: "queries", label: "Queries", numeric: true },
  { key: "alerts", label: "Alerts", sort: "alerts", numeric: true },
];

/** The request list: filters, query box, sortable columns, paging and live updates. */
export function ListPage({ params }: { params: URLSearchParams }) {
  const filters = useMemo(() => readFilters(params), [params]);
  const [rows, setRows] = useState<RecordSummary[]>([]);
  const [total, setTotal] = useState<number | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [paused, setPaused] = useState(false);
  const [pending, setPending] = useState(0);
  const [reload, setReload] = useState(0);
  const [selected, setSelected] = useState<string[]>([]);
  const fresh = useRef(new Set<string>());
  const [recording, refreshHealth] = useRecordingHealth();

  // Read through a ref: a delayed apply (typing) must not undo a change made meanwhile.
  const latest = useRef(filters);
  latest.current = filters;
  const apply = (change: Partial<ListFilters>) => {
    const next = { ...latest.current, page: 0, ...change };
    replaceHash(hashLink("/", filtersToHash(next)));
  };

  // Fetch the page; an older answer never overwrites a newer one.
  const key = apiParams(filters).toString();
  useEffect(() => {
    const abort = new AbortController();
    setLoading(true);
    refreshHealth();
    api.list(new URLSearchParams(key), abort.signal).then(
      (page) => {
        setRows(page.requests);
        setTotal(page.total);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (isAbort(e)) return;
        setError(e instanceof ApiError ? e.message : `The list could not be loaded: ${String(e)}`);
        setRows([]);
        setTotal(undefined);
        setLoading(false);
      },
    );
    return () => abort.abort();
  }, [key, reload]);

  // Live: refresh the first page (newest first) as requests arrive; elsewhere, count them.
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const followsNewest = filters.page === 0 && filters.sort === "startedAt" && filters.dir === "desc";
  const liveState = useLiveRequests((summary) => {
    refreshHealth();
    if (paused || !followsNewest) {
      setPending((n) => n + 1);
      return;
    }
    fresh.current.add(summary.id);
    timer.current ??= setTimeout(() => {
      timer.current = undefined;
      setReload((n) => n + 1);
    }, LIVE_REFRESH_MS);
  });
  const showPending = () => {
    setPending(0);
    if (!followsNewest) apply({ page: 0, sort: "startedAt", dir: "desc" });
    else setReload((n) => n + 1);
  };

  const pages = total === undefined ? 1 : Math.max(1, Math.ceil(total / filters.size));
  const from = total ? filters.page * filters.size + 1 : 0;
  const to = Math.min(total ?? 0, (filters.page + 1) * filters.size);

  const toggleSelected = (id: string) =>
    setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id].slice(-2)));

  return (
    <section class="gb-list-page" aria-busy={loading}>
      <FilterBar filters={filters} apply={apply} error={error} />
      <div class="gb-toolbar-row">
        <span class="gb-count" data-testid="count">
          {total === undefined
            ? ""
            : `${formatCount(from)}–${formatCount(to)} of ${formatCount(total)} requests`}
        </span>
        <span class="gb-spacer" />
        {pending > 0 && (
          <button type="button" class="gb-pending" onClick={showPending}>
            {pending} new — show
          </button>
        )}
        <button
          type="button"
          class={`gb-live gb-live-${paused ? "paused" : liveState}`}
          aria-pressed={!paused}
          onClick={() => {
            setPaused((p) => !p);
            if (paused && pending) showPending();
          }}
          title={paused ? "Live updates are paused" : "New requests appear as they happen"}
        >
          {paused ? "Paused" : liveState === "open" ? "Live" : "Connecting…"}
        </button>
        <a
          class={`gb-button${selected.length === 2 ? "" : " gb-disabled"}`}
          aria-disabled={selected.length !== 2}
          href={selected.length === 2 ? hashLink("/compare", { a: selected[0], b: selected[1] }) : undefined}
        >
          Compare selected ({selected.length}/2)
        </a>
      </div>
      <OverheadNotice recording={recording} />
      <table class="gb-grid gb-requests">
        <thead>
          <tr>
            <th class="gb-select-col">
              <span class="gb-sr">Select</span>
            </th>
            {COLUMNS.map((c) => {
              const active = c.sort === filters.sort;
              return (
                <th
                  key={c.key}
                  class={c.numeric ? "gb-num" : undefined}
                  aria-sort={active ? (filters.dir === "asc" ? "ascending" : "descending") : undefined}
                >
                  {c.sort ? (
                    <button
                      type="button"
                      class="gb-sort"
                      onClick={() =>
                        apply({
                          sort: c.sort!,
                          dir: active && filters.dir === "desc" ? "asc" : "desc",
                        })
                      }
                    >
                      {c.label}
                      <span class="gb-sort-mark">{active ? (filters.dir === "asc" ? " ▲" : " ▼") : ""}</span>
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <Row
              key={r.id}
              row={r}
              fresh={fresh.current.has(r.id)}
              selected={selected.includes(r.id)}
              onSelect={() => toggleSelected(r.id)}
            />
          ))}
        </tbody>
      </table>
      {!loading && !error && rows.length === 0 && (
        <p class="gb-empty">
          {total === 0 && !params.toString()
            ? "No requests recorded yet. Make a request to your app and it appears here."
            : "No request matches these filters."}
        </p>
      )}
      <nav class="gb-pager" aria-label="Pages">
        <button type="button" disabled={filters.page === 0} onClick={() => apply({ page: 0 })}>
          « First
        </button>
        <button type="button" disabled={filters.page === 0} onClick={() => apply({ page: filters.page - 1 })}>
          ‹ Newer
        </button>
        <span>
          Page {formatCount(filters.page + 1)} of {formatCount(pages)}
        </span>
        <button
          type="button"
          disabled={filters.page + 1 >= pages}
          onClick={() => apply({ page: filters.page + 1 })}
        >
          Older ›
        </button>
        <label>
          Rows{" "}
          <select
            value={String(filters.size)}
            onChange={(e) => apply({ size: Number((e.target as HTMLSelectElement).value) })}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </nav>
    </section>
  );
}

/**
 * `/api/health`'s recording figures: `refresh()` reads them now, or once HEALTH_REFRESH_MS has
 * passed since the last read, however often it is called.
 */
function useRecordingHealth(): [RecordingHealth | undefined, () => void] {
  const [recording, setRecording] = useState<RecordingHealth | undefined>(undefined);
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const abort = useRef(new AbortController());
  useEffect(
    () => () => {
      clearTimeout(timer.current);
      abort.current.abort();
    },
    [],
  );
  const load = () => {
    timer.current = undefined;
    last.current = Date.now();
    // Unreachable for a moment, or unmounted: keep the last answer.
    api.health(abort.current.signal).then(
      (health) => setRecording(health.recording),
      () => undefined,
    );
  };
  const refresh = () => {
    timer.current ??= setTimeout(load, Math.max(0, last.current + HEALTH_REFRESH_MS - Date.now()));
  };
  return [recording, refresh];
}

/** 0.02 → "2 %", 0.0001 → "0.01 %" (as glassbox's own warning writes the budget). */
const formatShare = (share: number) =>
  `${(share * 100).toLocaleString("en-US", { maximumSignificantDigits: 2 })} %`;

/** Says how many requests the overhead budget left unrecorded; nothing when none (or an older server). */
function OverheadNotice({ recording }: { recording: RecordingHealth | undefined }) {
  if (!recording?.skipped) return null;
  const { skipped, budget } = recording;
  const what = `${formatCount(skipped)} ${skipped === 1 ? "request was" : "requests were"} not recorded`;
  const why =
    budget === false
      ? "within its overhead budget"
      : `under ${formatShare(budget)} of the app's time (overhead budget)`;
  return (
    <p class="gb-notice" data-testid="overhead-notice">
      {what} to keep glassbox {why}. Set <code>overhead: false</code> to record every request.
    </p>
  );
}

function Row(props: { row: RecordSummary; fresh: boolean; selected: boolean; onSelect: () => void }) {
  const { row: r } = props;
  const link = hashLink(`/requests/${r.id}`);
  const queries = r.stats["sql.queries"];
  return (
    <tr class={props.fresh ? "gb-fresh" : undefined} data-id={r.id}>
      <td class="gb-select-col">
        <input
          type="checkbox"
          aria-label={`Select request ${r.id} for comparison`}
          checked={props.selected}
          onChange={props.onSelect}
        />
      </td>
      <td class="gb-nowrap">{formatTime(r.startedAt)}</td>
      <td>{r.method}</td>
      <td class="gb-path">
        <a href={link}>{r.path ?? r.url ?? r.id}</a>
      </td>
      <td class="gb-route">{r.route ?? ""}</td>
      <td class="gb-num">
        <span class={`gb-badge gb-tone-${statusTone(r.status)}`}>{r.status ?? "—"}</span>
      </td>
      <td class="gb-num">{formatMs(r.durationMs)}</td>
      <td class="gb-num">{queries === undefined ? "" : queries}</td>
      <td class="gb-num">
        {r.alertCount > 0 ? <span class="gb-badge gb-tone-warning">{r.alertCount}</span> : ""}
      </td>
    </tr>
  );
}

function FilterBar(props: {
  filters: ListFilters;
  apply: (change: Partial<ListFilters>) => void;
  error: string | undefined;
}) {
  const { filters, apply } = props;
  // Text fields: a draft while typing, applied after a pause or on Enter.
  const [draft, setDraft] = useState({
    path: filters.path,
    route: filters.route,
    minDurationMs: filters.minDurationMs,
    q: filters.q,
  });
  useEffect(() => {
    setDraft({
      path: filters.path,
      route: filters.route,
      minDurationMs: filters.minDurationMs,
      q: filters.q,
    });
  }, [filters.path, filters.route, filters.minDurationMs, filters.q]);
  const typing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const edit = (field: keyof typeof draft, value: string) => {
    const next = { ...draft, [field]: value };
    setDraft(next);
    clearTimeout(typing.current);
    typing.current = setTimeout(() => apply(next), TYPE_DELAY_MS);
  };
  useEffect(() => () => clearTimeout(typing.current), []);
  const text = (field: keyof typeof draft) => ({
    value: draft[field],
    onInput: (e: Event) => edit(field, (e.target as HTMLInputElement).value),
  });

  return (
    <form
      class="gb-filters"
      onSubmit={(e) => {
        e.preventDefault();
        clearTimeout(typing.current);
        apply(draft);
      }}
    >
      <div class="gb-query">
        <label for="gb-q">Query</label>
        <input
          id="gb-q"
          name="q"
          type="search"
          spellcheck={false}
          autocomplete="off"
          placeholder="status:>=500 route:/api/* duration:>200ms sql.queries:>10 service:orders"
          aria-invalid={props.error ? true : undefined}
          aria-describedby="gb-q-help"
          {...text("q")}
        />
        <button type="submit">Search</button>
      </div>
      {props.error ? (
        <p class="gb-error" role="alert" id="gb-q-help">
          {props.error}
        </p>
      ) : (
        <p class="gb-help" id="gb-q-help">
          Terms are ANDed: <code>status:5xx</code> <code>method:POST</code> <code>route:/api/*</code>{" "}
          <code>duration:&gt;200ms</code> <code>sql.queries:&gt;10</code> <code>alerts:&gt;0</code>; a bare
          word matches the path.
        </p>
      )}
      <div class="gb-filter-row">
        <label>
          Method
          <select
            name="method"
            value={filters.method}
            onChange={(e) => apply({ method: (e.target as HTMLSelectElement).value })}
          >
            <option value="">any</option>
            {METHODS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select
            name="status"
            value={filters.status}
            onChange={(e) => apply({ status: (e.target as HTMLSelectElement).value })}
          >
            <option value="">any</option>
            {["2xx", "3xx", "4xx", "5xx"].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Path contains
          <input name="path" type="text" spellcheck={false} {...text("path")} />
        </label>
        <label>
          Route
          <input
            name="route"
            type="text"
            spellcheck={false}
            placeholder="/users/:id or /api/*"
            {...text("route")}
          />
        </label>
        <label>
          Min duration (ms)
          <input name="min" type="number" min="0" step="any" inputMode="decimal" {...text("minDurationMs")} />
        </label>
        <label class="gb-check">
          <input
            name="alerts"
            type="checkbox"
            checked={filters.hasAlerts}
            onChange={(e) => apply({ hasAlerts: (e.target as HTMLInputElement).checked })}
          />
          Has alerts
        </label>
        <a class="gb-reset" href="#/">
          Clear filters
        </a>
      </div>
    </form>
  );
}
