import { ExplainFailure } from "../failure.js";
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

/** The answer when a statement ran past `explain.statementTimeoutMs`. */
export function timedOut(ms: number): ExplainFailure {
  return new ExplainFailure(
    "GBX_EXPLAIN_TIMEOUT",
    `EXPLAIN was cancelled after the statement timeout (${ms} ms); raise explain.statementTimeoutMs to wait longer.`,
  );
}

/** A connection leased for one EXPLAIN, and how to let go of it (destroyed when it may be mid-statement). */
export interface Leased<C> {
  connection: C;
  done(destroy: boolean): Promise<void>;
}

/**
 * The life of one EXPLAIN on a network database, the same for every driver: lease a connection
 * (a failure to connect is a clear EXPLAIN failure), plan under a deadline, translate the
 * database's errors, and let go of the connection (destroyed after a timeout or an error).
 *
 * @example
 * export const pgRunner = (connection: object) =>
 *   leasedRunner("PostgreSQL", () => lease(connection), plan, translate);
 */
export function leasedRunner<C>(
  database: string,
  lease: () => Promise<Leased<C>>,
  plan: (connection: C, job: ExplainJob) => Promise<Plan>,
  translate: (error: unknown, timeoutMs: number) => Error,
): Runner {
  return async (job) => {
    const { connection, done } = await lease().catch((error: unknown) => {
      throw error instanceof ExplainFailure
        ? error
        : new ExplainFailure(
            "GBX_EXPLAIN_FAILED",
            `could not connect to ${database} for EXPLAIN: ${(error as Error).message}`,
          );
    });
    let destroy = false;
    try {
      return await withDeadline(plan(connection, job), job.timeoutMs + 1000, () => {
        destroy = true;
        return timedOut(job.timeoutMs);
      });
    } catch (error) {
      destroy = true;
      throw translate(error, job.timeoutMs);
    } finally {
      await done(destroy);
    }
  };
}
