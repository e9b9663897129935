import type { Plan } from "../plan.js";

/** What a runner is asked to plan: a recorded, read-only statement and its recorded parameters. */
export interface ExplainJob {
  sql: string;
  params?: unknown[] | Record<string, unknown>;
  /** PostgreSQL only: EXPLAIN ANALYZE, BUFFERS (runs the statement, then rolls back). */
  analyze: boolean;
  timeoutMs: number;
}

/** Plans one statement on one database, through the connection the user gave glassbox. */
export type Runner = (job: ExplainJob) => Promise<Plan>;

/**
 * Settles like `work`, or rejects with `onTimeout()`'s error after `ms` (and calls it, so the
 * runner can cut the connection). A backstop: each database is also told its own timeout.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
