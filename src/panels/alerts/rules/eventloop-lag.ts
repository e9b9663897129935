import type { AlertRule } from "../types.js";

/** Event-loop lag over `thresholds.eventLoopLagMs` (stat `eventloop.lagMs`, when a panel measures it). */
export const eventLoopLag: AlertRule = {
  id: "eventloop.lag",
  description: "Event-loop lag during the request exceeded thresholds.eventLoopLagMs (stat eventloop.lagMs).",
  check({ stats, thresholds }) {
    const lag = stats["eventloop.lagMs"];
    if (lag === undefined || lag <= thresholds.eventLoopLagMs) return undefined;
    return {
      severity: "warning",
      message: `The event loop lagged ${lag.toFixed(0)} ms during this request (threshold ${thresholds.eventLoopLagMs} ms).`,
      evidence: { lagMs: Math.round(lag), threshold: thresholds.eventLoopLagMs },
      fix: "Find the blocking work in the async or profiler panel and move it off the main thread.",
      docs: "https://nodejs.org/en/learn/asynchronous-work/dont-block-the-event-loop",
    };
  },
};
