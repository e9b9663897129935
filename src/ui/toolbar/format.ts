/** "12.3 ms" under a second, "1.24 s" above. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  return ms < 1000 ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** "1 query", "3 queries": counts on the handle read as words. */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Tone of a status code for badges. */
export function statusTone(status: number | undefined): "ok" | "warning" | "error" | "muted" {
  if (status === undefined) return "muted";
  return status >= 500 ? "error" : status >= 400 ? "warning" : "ok";
}
