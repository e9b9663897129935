import { type EventLoopUtilization, performance } from "node:perf_hooks";
import { definePanel } from "../core/panel.js";
import { type ViewNode, view } from "../core/view.js";

interface TimerState {
  /** Only in deep mode: process.cpuUsage() is a syscall, too dear for every request. */
  cpu?: NodeJS.CpuUsage;
  elu: EventLoopUtilization;
}

export interface TimerData {
  wallMs: number;
  /** Process CPU time spent while the request ran (all concurrent work included). Deep mode only. */
  cpuUserMs?: number;
  cpuSystemMs?: number;
  /** Share of the request's span the event loop was busy, 0 to 1. */
  eventLoopUtilization: number;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Wall time, CPU time and event-loop utilization over the request's span. */
export const timerPanel = definePanel<TimerState, TimerData>({
  id: "timer",
  title: "Time",
  view: timerView,
  start: (ctx) =>
    ctx.flags.has("deep")
      ? { cpu: process.cpuUsage(), elu: performance.eventLoopUtilization() }
      : { elu: performance.eventLoopUtilization() },
  finish(ctx, state) {
    // Background windows have no start(): there is no request span to time.
    if (!state) return undefined;
    const elu = performance.eventLoopUtilization(state.elu);
    const data: TimerData = { wallMs: round(ctx.durationMs), eventLoopUtilization: round(elu.utilization) };
    if (!state.cpu) return { data, summary: `${data.wallMs.toFixed(1)} ms` };
    const cpu = process.cpuUsage(state.cpu);
    data.cpuUserMs = round(cpu.user / 1000);
    data.cpuSystemMs = round(cpu.system / 1000);
    const cpuMs = round(data.cpuUserMs + data.cpuSystemMs);
    return {
      data,
      summary: `${data.wallMs.toFixed(1)} ms (CPU ${cpuMs.toFixed(1)} ms)`,
      stats: { "cpu.ms": cpuMs },
    };
  },
});

/** Wall and CPU time as key/values; the CPU note explains why it can exceed the wall time. */
function timerView(data: TimerData): ViewNode[] {
  return [
    view.kv([
      ["Wall time", `${data.wallMs.toFixed(1)} ms`],
      ["CPU (user)", data.cpuUserMs === undefined ? "deep mode only" : `${data.cpuUserMs.toFixed(1)} ms`],
      [
        "CPU (system)",
        data.cpuSystemMs === undefined ? "deep mode only" : `${data.cpuSystemMs.toFixed(1)} ms`,
      ],
      ["Event loop busy", `${Math.round(data.eventLoopUtilization * 100)} %`],
    ]),
    view.text("CPU time is the whole process's while the request ran, concurrent work included.", "muted"),
  ];
}
