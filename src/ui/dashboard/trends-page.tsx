import { useEffect, useMemo, useState } from "preact/hooks";
import type { RouteTrend, TrendsResult } from "../../store/trends.js";
import { formatCount, formatMs, formatTime } from "../shared/format.js";
import { ApiError, api, isAbort } from "./api.js";
import { type ChartSeries, TimeChart } from "./chart.js";
import { hashLink, replaceHash } from "./router.js";

const WINDOWS = [
  { minutes: 15, label: "15 minutes" },
  { minutes: 60, label: "1 hour" },
  { minutes: 360, label: "6 hours" },
  { minutes: 1440, label: "24 hours" },
  { minutes: 10080, label: "7 days" },
];

/** Requests per minute, latency per route over time, slowest routes, routes with most queries. */
export function TrendsPage({ params }: { params: URLSearchParams }) {
  const minutes = WINDOWS.some((w) => String(w.minutes) === params.get("minutes"))
    ? Number(params.get("minutes"))
    : 60;
  const [trends, setTrends] = useState<TrendsResult | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    const abort = new AbortController();
    api.trends(minutes, abort.signal).then(
      (t) => {
        setTrends(t);
        setError(undefined);
      },
      (e: unknown) => {
        if (!isAbort(e)) setError(e instanceof ApiError ? e.message : String(e));
      },
    );
    return () => abort.abort();
  }, [minutes]);

  const charts = useMemo(() => {
    if (!trends) return undefined;
    const perMinute = 60_000 / trends.bucketMs;
    const rate = (values: number[]) => values.map((v) => Math.round(v * perMinute * 100) / 100);
    const traffic: ChartSeries[] = [
      { label: "requests / min", values: rate(trends.requests), colour: 0 },
      { label: "5xx / min", values: rate(trends.errors), colour: 5 },
    ];
    const p50: ChartSeries[] = trends.series.map((s, i) => ({
      label: s.route,
      values: s.p50Ms,
      colour: i,
      spanGaps: true,
    }));
    const p95: ChartSeries[] = trends.series.map((s, i) => ({
      label: s.route,
      values: s.p95Ms,
      colour: i,
      spanGaps: true,
    }));
    return { traffic, p50, p95 };
  }, [trends]);

  return (
    <section class="gb-trends">
      <header class="gb-toolbar-row">
        <h2>Trends</h2>
        <span class="gb-spacer" />
        <label>
          Window{" "}
          <select
            value={String(minutes)}
            onChange={(e) =>
              replaceHash(hashLink("/trends", { minutes: (e.target as HTMLSelectElement).value }))
            }
          >
            {WINDOWS.map((w) => (
              <option key={w.minutes} value={String(w.minutes)}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
      </header>
      {error && (
        <p class="gb-error" role="alert">
          {error}
        </p>
      )}
      {!trends && !error && <p class="gb-loading">Loading…</p>}
      {trends && charts && (
        <>
          <p class="gb-muted">
            {formatCount(trends.total)} requests from {formatTime(trends.from)} to {formatTime(trends.to)}, in{" "}
            {trends.bucketMs / 60_000 >= 1
              ? `${trends.bucketMs / 60_000}-minute`
              : `${trends.bucketMs / 1000}-second`}{" "}
            buckets.
          </p>
          {trends.total === 0 ? (
            <p class="gb-empty">No requests in this window.</p>
          ) : (
            <div class="gb-charts">
              <TimeChart title="Requests per minute" x={trends.buckets} series={charts.traffic} />
              <TimeChart
                title="p50 latency by route (ms)"
                x={trends.buckets}
                series={charts.p50}
                unit=" ms"
              />
              <TimeChart
                title="p95 latency by route (ms)"
                x={trends.buckets}
                series={charts.p95}
                unit=" ms"
              />
            </div>
          )}
          <div class="gb-trend-tables">
            <RouteTable
              title="Slowest routes (by p95)"
              routes={trends.slowest}
              columns={["count", "p50Ms", "p95Ms", "maxMs", "errors"]}
            />
            <RouteTable
              title="Routes with most queries"
              routes={trends.mostQueries}
              columns={["count", "avgQueries", "maxQueries", "p95Ms"]}
              empty="No route ran SQL queries in this window (or the SQL panel is not installed)."
            />
          </div>
        </>
      )}
    </section>
  );
}

const HEADINGS: Record<string, string> = {
  count: "Requests",
  p50Ms: "p50",
  p95Ms: "p95",
  maxMs: "Max",
  errors: "5xx",
  avgQueries: "Avg queries",
  maxQueries: "Max queries",
};

function RouteTable(props: {
  title: string;
  routes: RouteTrend[];
  columns: Array<keyof RouteTrend>;
  empty?: string;
}) {
  return (
    <div class="gb-route-table">
      <h3>{props.title}</h3>
      {props.routes.length === 0 ? (
        <p class="gb-muted">{props.empty ?? "No requests in this window."}</p>
      ) : (
        <table class="gb-grid">
          <thead>
            <tr>
              <th>Route</th>
              {props.columns.map((c) => (
                <th key={c} class="gb-num">
                  {HEADINGS[c]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.routes.map((r) => (
              <tr key={r.route}>
                <td>
                  <a href={routeLink(r.route)}>{r.route}</a>
                </td>
                {props.columns.map((c) => (
                  <td key={c} class="gb-num">
                    {c.endsWith("Ms")
                      ? formatMs(r[c] as number)
                      : formatCount(Math.round((r[c] as number) * 10) / 10)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The list filtered to one route ("GET /users/:id" → method GET, route /users/:id). */
function routeLink(key: string): string {
  const space = key.indexOf(" ");
  const method = space > 0 ? key.slice(0, space) : "";
  const route = space > 0 ? key.slice(space + 1) : key;
  return hashLink("/", /^[A-Z]+$/.test(method) ? { method, route } : { route: key });
}
