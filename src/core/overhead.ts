import { performance } from "node:perf_hooks";

export interface OverheadOptions {
  /** Share of main-thread time glassbox may spend recording, over time (0.02 = 2 %). */
  budget: number;
  /** Milliseconds of recording work glassbox may spend at once, after a quiet spell. */
  burstMs: number;
  /** Requests per second under which the app counts as quiet and the bucket refills at once. */
  quietRate: number;
}

export interface RecordingStats {
  /** The budget in force, or false when every request is recorded whatever it costs. */
  budget: number | false;
  /** Requests admitted for recording since start. */
  recorded: number;
  /** Requests not recorded to stay within the budget. */
  skipped: number;
  /** Main-thread milliseconds glassbox measured itself spending on recording. */
  spentMs: number;
}

/** A request skipped less than this long ago means glassbox is sampling. */
const SAMPLING_MS = 2000;
/** How often the recent request rate is checked. */
const QUIET_CHECK_MS = 1000;
/** First guess of what recording one request really costs, until requests have been measured. */
const INITIAL_ESTIMATE_MS = 0.5;
/** The most the bucket may owe (see take()). */
const MAX_DEBT_MS = 100;
/** Weight of the newest measurement in the running estimate. */
const ESTIMATE_WEIGHT = 0.05;
/**
 * What glassbox's work really costs per measured millisecond. Garbage collection, the engine's
 * async-context work and the small hooks glassbox cannot time without slowing them happen outside
 * the timed sections. The HTTP benchmark (docs/benchmarks.md) put the real cost at about 2 times
 * the measured time when every request is recorded, and at 4 to 6 times when only a sample is
 * (the recording code then runs cold): the budget binds only while sampling, so it counts 5.
 */
const REAL_COST_PER_MEASURED_MS = 5;

/**
 * Keeps glassbox's own work within a share of the app's time: a token bucket of milliseconds.
 * Tokens refill at `budget` ms per ms of wall time, up to `burstMs`; each admitted request takes
 * the running estimate of a record's cost at once (so 50 concurrent requests cannot all slip in
 * before any is charged) and settles its measured cost when it ends. Measured work that is not a
 * request (writing to SQLite) is charged as it happens.
 *
 * While requests come at a person's pace (under `quietRate` a second) the bucket is refilled
 * every second and every request is recorded; under a load test glassbox records an even sample
 * and counts the rest instead of slowing the app down.
 */
export class OverheadGovernor {
  private tokens: number;
  private lastRefill: number;
  private lastQuietCheck: number;
  private requestsSinceCheck = 0;
  private lastSkipAt = Number.NEGATIVE_INFINITY;
  private estimateMs = INITIAL_ESTIMATE_MS;
  recorded = 0;
  skipped = 0;
  spentMs = 0;

  /** @param clock milliseconds, monotonic */
  constructor(
    private readonly options: OverheadOptions,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = options.burstMs;
    this.lastRefill = clock();
    this.lastQuietCheck = this.lastRefill;
  }

  /** Whether the next request may be recorded. When it may, its estimated cost is taken now. */
  admit(): boolean {
    const now = this.clock();
    const { budget, burstMs } = this.options;
    this.tokens = Math.min(burstMs, this.tokens + (now - this.lastRefill) * budget);
    this.lastRefill = now;
    this.requestsSinceCheck++;
    const sinceCheck = now - this.lastQuietCheck;
    if (sinceCheck >= QUIET_CHECK_MS) {
      // At a person's pace (a page and its assets now and then) everything is recorded, however
      // expensive the pages: the budget binds only under load. The rate is counted, not the
      // event loop's utilization, because an app waiting on its database is busy but idle.
      if ((this.requestsSinceCheck * 1000) / sinceCheck < this.options.quietRate) this.tokens = burstMs;
      this.lastQuietCheck = now;
      this.requestsSinceCheck = 0;
    }
    if (this.tokens <= 0) {
      this.skipped++;
      this.lastSkipAt = now;
      return false;
    }
    this.recorded++;
    this.tokens -= this.estimateMs;
    return true;
  }

  /** Whether requests are being skipped now (one was within the last two seconds). */
  sampling(): boolean {
    return this.clock() - this.lastSkipAt < SAMPLING_MS;
  }

  /** Settles an admitted request: its measured cost replaces the estimate taken at admission. */
  settle(measuredMs: number): void {
    const cost = measuredMs * REAL_COST_PER_MEASURED_MS;
    this.take(cost - this.estimateMs);
    this.spentMs += measuredMs;
    this.estimateMs += (cost - this.estimateMs) * ESTIMATE_WEIGHT;
  }

  /** Charges work done outside any request (batched store writes). */
  charge(measuredMs: number): void {
    this.take(measuredMs * REAL_COST_PER_MEASURED_MS);
    this.spentMs += measuredMs;
  }

  stats(): RecordingStats {
    return {
      budget: this.options.budget,
      recorded: this.recorded,
      skipped: this.skipped,
      spentMs: Math.round(this.spentMs * 10) / 10,
    };
  }

  // One very expensive record (a page with thousands of queries), or the requests in flight when
  // a burst runs out, leave a debt of at most MAX_DEBT_MS: recording resumes within seconds
  // (5 s at 2 %) instead of falling silent for minutes.
  private take(ms: number): void {
    this.tokens = Math.max(-MAX_DEBT_MS, this.tokens - ms);
  }
}

/** With `overhead: false`: records every request, still counting and measuring. */
export class UnlimitedRecording {
  recorded = 0;
  readonly skipped = 0;
  spentMs = 0;

  admit(): boolean {
    this.recorded++;
    return true;
  }

  sampling(): boolean {
    return false;
  }

  settle(measuredMs: number): void {
    this.spentMs += measuredMs;
  }

  charge(ms: number): void {
    this.spentMs += ms;
  }

  stats(): RecordingStats {
    return {
      budget: false,
      recorded: this.recorded,
      skipped: 0,
      spentMs: Math.round(this.spentMs * 10) / 10,
    };
  }
}

export type RecordingGate = OverheadGovernor | UnlimitedRecording;
