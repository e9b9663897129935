import type { RouteBaseline } from "./types.js";

interface Window {
  durations: number[];
  queries: number[];
}

/**
 * Rolling windows of recent wall times and query counts per route, for anomaly rules. One per
 * alerts panel (so per glassbox instance); bounded in routes and samples.
 */
export class RouteHistory {
  private readonly routes = new Map<string, Window>();

  constructor(
    private readonly window: number,
    private readonly maxRoutes = 1000,
  ) {}

  /** The route's samples so far (the current request not included). */
  baseline(key: string): RouteBaseline {
    const w = this.routes.get(key);
    return { key, durations: w?.durations ?? [], queries: w?.queries ?? [] };
  }

  /** Adds the current request's sample; the oldest sample (and least recently seen route) go first. */
  add(key: string, durationMs: number, queries: number | undefined): void {
    let w = this.routes.get(key);
    if (w) {
      this.routes.delete(key);
    } else {
      w = { durations: [], queries: [] };
      if (this.routes.size >= this.maxRoutes) {
        const oldest = this.routes.keys().next().value;
        if (oldest !== undefined) this.routes.delete(oldest);
      }
    }
    this.routes.set(key, w);
    w.durations.push(durationMs);
    if (w.durations.length > this.window) w.durations.shift();
    if (queries !== undefined) {
      w.queries.push(queries);
      if (w.queries.length > this.window) w.queries.shift();
    }
  }
}
