/** Display helpers for the toolbar and the dashboard alike: every one returns plain text. */

/** "4.2 ms" and "42.0 ms" below 100 ms, "420 ms" up to 10 s, "12.5 s" above. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

export function formatTime(epochMs: number): string {
  const d = new Date(epochMs);
  const today = new Date();
  const time = d.toLocaleTimeString(undefined, { hour12: false });
  return d.toDateString() === today.toDateString() ? time : `${d.toLocaleDateString()} ${time}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** "ok" for 2xx/3xx, "warning" for 4xx, "error" for 5xx: the status badge's tone. */
export function statusTone(status: number | undefined): "ok" | "warning" | "error" | "muted" {
  if (status === undefined) return "muted";
  if (status >= 500) return "error";
  if (status >= 400) return "warning";
  return "ok";
}

/** "1 query", "3 queries": counts read as words. */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
