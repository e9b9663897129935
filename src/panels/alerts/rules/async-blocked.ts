import type { AlertRule } from "../types.js";

/** Callbacks that held the event loop (stat `async.blocked`, from the async panel when present). */
export const asyncBlocked: AlertRule = {
  id: "async.blocked",
  description: "Callbacks blocked the event loop during the request (stat async.blocked).",
  check({ stats }) {
    const count = stats["async.blocked"] ?? 0;
    if (count <= 0) return undefined;
    const longest = stats["async.blockedMaxMs"];
    return {
      severity: "warning",
      message: `${count} ${count === 1 ? "callback" : "callbacks"} blocked the event loop${longest !== undefined ? ` (the longest for ${longest.toFixed(0)} ms)` : ""}: every other request waited.`,
      evidence: { blocked: count, longestMs: longest ?? null },
      fix: "Move CPU-heavy work (sync crypto, big JSON, regex on large input, *Sync fs calls) to a worker thread or make it async.",
      docs: "https://nodejs.org/en/learn/asynchronous-work/dont-block-the-event-loop",
    };
  },
};
