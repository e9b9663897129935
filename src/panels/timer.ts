import { type EventLoopUtilization, performance } from "node:perf_hooks";
import { definePanel } from "../core/panel.js";

interface TimerState {
  cpu: NodeJS.CpuUsage;
  elu: EventLoopUtilization;
}

export interface TimerData {
  wallMs: number;
  /** Process CPU time spent while the request ran (all concurrent work included). */
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Share of the request's span the event loop was busy, 0 to 1. */
  eventLoopUtilization: number;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Wall time, CPU time and event-loop utilization over the request's span. */
export const timerPanel = definePanel<TimerState, TimerData>({
  id: "timer",
  title: "Time",
  start: () => ({ cpu: process.cpuUsage(), elu: performance.eventLoopUtilization() }),
  finish(ctx, state) {
    const cpu = process.cpuUsage(state.cpu);
    const elu = performance.eventLoopUtilization(state.elu);
    const data: TimerData = {
      wallMs: round(ctx.durationMs),
      cpuUserMs: round(cpu.user / 1000),
      cpuSystemMs: round(cpu.system / 1000),
      eventLoopUtilization: round(elu.utilization),
    };
    return {
      data,
      summary: `${data.wallMs.toFixed(1)} ms (CPU ${(data.cpuUserMs + data.cpuSystemMs).toFixed(1)} ms)`,
      stats: { "cpu.ms": round(data.cpuUserMs + data.cpuSystemMs) },
    };
  },
});
