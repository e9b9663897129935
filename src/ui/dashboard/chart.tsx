import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** Index into the chart palette (CSS-independent: uPlot draws on a canvas). */
  colour: number;
  dashed?: boolean;
  /** Join points across empty buckets (latency lines); counts keep their zeros anyway. */
  spanGaps?: boolean;
}

const PALETTE = ["#2f80ed", "#e2a400", "#16a085", "#c0568b", "#7c6fd6", "#d9731a", "#3aa655", "#8c8c8c"];

/**
 * A time-series line chart drawn by uPlot on a canvas. `x` is epoch ms. Resizes with its box.
 *
 * @example
 * <TimeChart title="Requests per minute" x={t.buckets} series={[{ label: "requests", values: t.requests, colour: 0 }]} />
 */
export function TimeChart(props: {
  title: string;
  x: number[];
  series: ChartSeries[];
  unit?: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const dark = matchMedia("(prefers-color-scheme: dark)").matches;
    const axis = { stroke: dark ? "#9aa3ae" : "#5d6673", grid: { stroke: dark ? "#2a3039" : "#eceef1" } };
    const unit = props.unit ?? "";
    const options: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height: props.height ?? 220,
      ms: 1,
      cursor: { drag: { x: false, y: false } },
      scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [axis, { ...axis, size: 60, values: (_u, ticks) => ticks.map((v) => `${v}${unit}`) }],
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: PALETTE[s.colour % PALETTE.length]!,
          width: 2,
          spanGaps: s.spanGaps === true,
          ...(s.dashed ? { dash: [6, 4] } : {}),
          points: { show: true, size: 4 },
        })),
      ],
    };
    const plot = new uPlot(options, [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(300, el.clientWidth), height: options.height }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.x, props.series, props.unit, props.height]);
  return (
    <figure class="gb-chart">
      <figcaption>{props.title}</figcaption>
      <div ref={box} class="gb-chart-box" />
    </figure>
  );
}
