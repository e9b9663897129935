import type { RequestContext } from "./context.js";
import type { Alert, GlassboxRecord, ServerTimingEntry, TimelineEntry } from "./record.js";
import type { ViewNode } from "./view.js";

/** What a panel hands back when a record is finished. Every field is optional. */
export interface PanelOutput<Data = unknown> {
  /** Serializable data: what the toolbar, dashboard, MCP and exporters show. */
  data?: Data;
  /** One line for the toolbar's nav ("12 queries in 31 ms"). */
  summary?: string;
  /** Numbers for lists, filters and budgets, under dotted keys owned by the panel ("sql.queries"). */
  stats?: Record<string, number>;
  alerts?: Alert[];
  timeline?: TimelineEntry[];
}

/** What a panel may use once, when glassbox starts (patching a library, reading app settings). */
export interface PanelSetup {
  /** The validated glassbox config. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Logs once through glassbox's logger; use instead of console (console may be instrumented). */
  /** Logs once per `onceKey` (default: once per code). */
  warn(code: string, message: string, onceKey?: string): void;
}

/**
 * A panel owns one concern. It is a plain object; glassbox calls its hooks in this order:
 *
 * 1. `setup` once per glassbox instance, when it starts. May return a teardown, run on close.
 * 2. `start` at the start of every recorded request; its return value is this panel's state
 *    for that request (kept in the RequestContext, never on the panel).
 * 3. `serverTiming` when the response headers are written (may run before the handler ends).
 * 4. `finish` once the response has finished (or the client went away). Reads the context's
 *    events and the state, returns the stored output. Must not do I/O.
 *
 * Every hook runs inside glassbox's safe wrapper: a throw is logged once and stored as the
 * panel's error on that record; the request is never affected.
 *
 * @example
 * const userPanel: Panel<{ user?: string }> = {
 *   id: "user",
 *   title: "User",
 *   start: () => ({}),
 *   finish: (ctx, state) => ({ data: state, summary: state.user ?? "anonymous" }),
 * };
 * app.use(glassbox({ panels: [userPanel] }));
 */
export interface Panel<State = unknown, Data = unknown> {
  /** Stable id, used as the key in `record.panels` and in URLs. Lowercase, dashes allowed. */
  readonly id: string;
  readonly title: string;
  setup?(setup: PanelSetup): undefined | (() => void);
  start?(ctx: RequestContext): State;
  serverTiming?(ctx: RequestContext, state: State): ServerTimingEntry[] | undefined;
  /**
   * @param earlier the outputs of the panels that finished before this one (list order), so a
   *   panel like alerts can read the others.
   */
  finish(
    ctx: RequestContext,
    state: State,
    earlier: ReadonlyMap<string, PanelOutput>,
  ): PanelOutput<Data> | undefined;
  /**
   * How the stored `data` is shown in the toolbar and dashboard, as view nodes (see view.ts).
   * Called when a record is read, from stored data only. Without it (or when it throws) the
   * data is shown as a JSON tree.
   */
  view?(data: Data, record: GlassboxRecord): ViewNode[];
}

/** Helps type inference for panel authors without widening the State type. */
export function definePanel<State, Data>(panel: Panel<State, Data>): Panel<State, Data> {
  return panel;
}

/** A finished record handed to `onRecord` listeners. */
export type RecordListener = (record: GlassboxRecord) => void;
