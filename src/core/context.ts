import { AsyncLocalStorage } from "node:async_hooks";
import { performance } from "node:perf_hooks";
import type { GlassboxConfig } from "./config.js";
import type { BodyPreview, ErrorSnapshot, RecordKind, RecordLink } from "./record.js";
import type { RedactRules } from "./redact.js";

/**
 * Event types instrumentations emit into a context. Panels and plugins add their own through
 * declaration merging:
 *
 * @example
 * declare module "glassbox" {
 *   interface GlassboxEvents { "my-cache": { at: number; key: string } }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in panels and plugins.
export interface GlassboxEvents {}

export type EventType = keyof GlassboxEvents & string;

/** Every event carries `at`: milliseconds since the context started. */
export interface BaseEvent {
  at: number;
  durationMs?: number;
}

export interface RequestSnapshot {
  method: string;
  url: string;
  /** The path without the query string. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  httpVersion: string;
  /** The peer address of the socket. */
  remoteAddress?: string;
  /** The client address as the framework's trust-proxy setting resolves it. */
  clientIp?: string;
  /** The request came over a TLS socket (HTTPS), as seen by this process. */
  tls?: boolean;
  body?: BodyPreview;
}

export interface ResponseSnapshot {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body?: BodyPreview;
  /** Bytes written to the socket for the body, when known. */
  bytes?: number;
  /** Whether the toolbar script was injected, or why not. */
  injection?: "injected" | "skipped" | "refused";
  /** The client went away before the response finished. */
  aborted: boolean;
}

/** What a context needs from the glassbox instance that owns it; kept narrow to avoid a cycle. */
export interface ContextOwner {
  readonly limits: {
    readonly eventsPerType: number;
    readonly stackDepth: number;
    readonly bodyPreviewBytes: number;
  };
  readonly redact: RedactRules;
  readonly config: GlassboxConfig;
  /** Random per glassbox instance: EXPLAIN replays only queries this instance recorded. */
  readonly instanceId?: string;
  /**
   * Takes an event emitted into a context whose record is already built (work the request
   * started that outlived it): glassbox passes it on to the background record. Without it such
   * an event is dropped.
   */
  lateEvent?(from: RequestContext, type: EventType, event: BaseEvent): void;
}

/** What an adapter knows about the app, computed once per app and shared by its requests. */
export interface AppInfo {
  framework: string;
  frameworkVersion?: string;
  /** The app's registered routes, read when a record is built. */
  routes?: () => readonly RouteInfo[];
  /** Framework settings worth showing (Express app.settings, Fastify initialConfig, ...). */
  settings?: () => Record<string, unknown>;
}

export interface RouteInfo {
  method: string;
  path: string;
  /** Handler or middleware names, when the framework tells. */
  handlers?: string[];
}

const STORAGE_KEY = Symbol.for("glassbox.context-storage");
const UNRECORDED_KEY = Symbol.for("glassbox.unrecorded-request");

/**
 * What the context storage holds inside a request glassbox does not record (an ignored path, or
 * one skipped to stay within the overhead budget): instrumentations then record nothing, and the
 * request's queries and logs do not fall through to the background bucket either.
 */
export interface UnrecordedRequest {
  readonly unrecorded: true;
}

const RECORDING_KEY = Symbol.for("glassbox.recording-state");

/** Process-wide recording state, shared by every glassbox instance and copy like the storage. */
export interface RecordingState {
  /** Recorded requests running now. */
  inFlight: number;
  /**
   * The context storage is switched off: glassbox is sampling under load and no recorded request
   * runs, so skipped requests pay no async-context cost at all. The next recorded request's
   * run() switches it on again.
   */
  storageOff: boolean;
}

type GlobalWithStorage = typeof globalThis & {
  [STORAGE_KEY]?: AsyncLocalStorage<RequestContext | UnrecordedRequest>;
  [UNRECORDED_KEY]?: UnrecordedRequest;
  [RECORDING_KEY]?: RecordingState;
};

/**
 * One AsyncLocalStorage per process, even when the ESM and CommonJS builds (or two copies of
 * glassbox) are loaded together: instrumentations patched by one copy must see contexts opened
 * by the other.
 */
const globalStorage = globalThis as GlobalWithStorage;
if (!globalStorage[STORAGE_KEY])
  globalStorage[STORAGE_KEY] = new AsyncLocalStorage<RequestContext | UnrecordedRequest>();
export const contextStorage: AsyncLocalStorage<RequestContext | UnrecordedRequest> =
  globalStorage[STORAGE_KEY];
globalStorage[UNRECORDED_KEY] ??= Object.freeze({ unrecorded: true as const });
/** One marker shared by every copy of glassbox in the process, compared by identity. */
export const UNRECORDED: UnrecordedRequest = globalStorage[UNRECORDED_KEY];
globalStorage[RECORDING_KEY] ??= { inFlight: 0, storageOff: false };
export const recordingState: RecordingState = globalStorage[RECORDING_KEY];

/**
 * Runs `fn` with `store` as the current context. Every run in glassbox goes through here so the
 * storage-off flag stays true: running a store switches the storage back on, except for the
 * unrecorded marker while the storage is off, which is what no store means then anyway. (A pool
 * callback bound to a skipped request must not switch it on for good behind the flag's back.)
 */
export function runInContext<T>(store: RequestContext | UnrecordedRequest, fn: () => T): T {
  if (store === UNRECORDED && recordingState.storageOff) return fn();
  recordingState.storageOff = false;
  return contextStorage.run(store, fn);
}

/** Switches the context storage off (async hooks cost every promise something) until a run. */
export function switchStorageOff(): void {
  if (recordingState.storageOff) return;
  contextStorage.disable();
  recordingState.storageOff = true;
}

/**
 * Everything glassbox knows about one request (or one background window) while it runs.
 * Instrumentations append events; panels keep their per-request state here, never on themselves.
 */
export class RequestContext {
  readonly id: string;
  readonly kind: RecordKind;
  readonly owner: ContextOwner;
  readonly startedAt: number;
  /** performance.now() at start, for sub-millisecond offsets. */
  readonly startPerf: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  links?: RecordLink[];
  request?: RequestSnapshot;
  response?: ResponseSnapshot;
  route?: string;
  params?: Record<string, string>;
  error?: ErrorSnapshot;
  /** The client may see glassbox (toolbar, headers): loopback or allowed, with an allowed Host. */
  visible = false;
  /**
   * An adapter already put the toolbar into the body before the framework sent it (Fastify's
   * onSend, ahead of compression); the response hook then leaves the body alone.
   */
  toolbarInjected = false;
  /** Framework name, for panels that read framework-specific things. */
  framework?: string;
  app?: AppInfo;
  /** Opt-in deep collectors for this request ("deep", "profile", ...). */
  readonly flags = new Set<string>();
  tags?: string[];
  /** Per-panel state, indexed like the owner's panel list. */
  readonly panelState: unknown[] = [];
  /**
   * Main-thread milliseconds glassbox measured itself spending on this request (its own hooks and
   * instrumentations add theirs): what the overhead budget charges.
   */
  ownMs = 0;
  /** Events dropped because a type reached its per-request limit. */
  dropped?: Record<string, number>;
  endPerf?: number;
  /**
   * Set by adapters: reads framework state (matched route, params) just before the record is
   * built, when the framework has finished routing. Dropped once called: the context can outlive
   * its request (a keep-alive socket's timer, armed as the response ends, keeps it as its async
   * context), and this closure holds the app's request and response.
   */
  beforeRecord?: () => void;
  private readonly buckets = new Map<string, unknown[]>();
  /** The record is built: see seal(). */
  private sealed = false;

  constructor(init: {
    id: string;
    kind: RecordKind;
    owner: ContextOwner;
    traceId: string;
    spanId: string;
    parentSpanId?: string;
  }) {
    this.id = init.id;
    this.kind = init.kind;
    this.owner = init.owner;
    this.traceId = init.traceId;
    this.spanId = init.spanId;
    if (init.parentSpanId) this.parentSpanId = init.parentSpanId;
    this.startedAt = Date.now();
    this.startPerf = performance.now();
  }

  /** Milliseconds since this context started. */
  now(): number {
    return performance.now() - this.startPerf;
  }

  /**
   * Append an event. Past the per-type limit the event is counted as dropped, never stored. Once
   * the record is built (seal), the event goes to the owner's lateEvent instead.
   */
  emit<K extends EventType>(type: K, event: GlassboxEvents[K]): void {
    if (this.sealed) {
      // Every event type carries `at` (BaseEvent); the declaration-merged map cannot say so.
      this.owner.lateEvent?.(this, type, event as unknown as BaseEvent);
      return;
    }
    let bucket = this.buckets.get(type);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(type, bucket);
    }
    if (bucket.length >= this.owner.limits.eventsPerType) {
      this.dropped ??= {};
      this.dropped[type] = (this.dropped[type] ?? 0) + 1;
      return;
    }
    bucket.push(event);
  }

  /** The events of one type, in the order they were emitted. */
  events<K extends EventType>(type: K): readonly GlassboxEvents[K][] {
    return (this.buckets.get(type) as GlassboxEvents[K][] | undefined) ?? EMPTY;
  }

  /**
   * Marks the record as built and lets go of its events and panel state. The context can outlive
   * its request by far (a pool connection's socket opened inside the request keeps it as its
   * async context for the connection's life), and what the app does in it from now on belongs to
   * no record of this request: emit() hands it to the owner's lateEvent.
   */
  seal(): void {
    this.sealed = true;
    this.buckets.clear();
    this.panelState.length = 0;
  }

  /** Whether the record is built (see seal). */
  get isSealed(): boolean {
    return this.sealed;
  }

  /** Whether any event has been emitted (background windows with nothing in them are not stored). */
  get isEmpty(): boolean {
    return this.buckets.size === 0;
  }

  /** Wall time of the context in ms: up to now while running, fixed once ended. */
  get durationMs(): number {
    return (this.endPerf ?? performance.now()) - this.startPerf;
  }
}

const EMPTY: readonly never[] = Object.freeze([]);

/** The context of the request running now, or undefined outside any request. Cheap: for hot paths. */
export function tryGetContext(): RequestContext | undefined {
  const store = contextStorage.getStore();
  return store === UNRECORDED ? undefined : (store as RequestContext | undefined);
}

/**
 * The context of the request running now. Throws outside a request: use it in user code where
 * a missing context is a mistake; instrumentations use tryGetContext().
 *
 * @example
 * app.get("/", (req, res) => res.send(`request ${getContext().id}`));
 */
export function getContext(): RequestContext {
  const ctx = tryGetContext();
  if (!ctx)
    throw new Error(
      "glassbox: getContext() was called outside a request recorded by glassbox (no request, an ignored path, or a request skipped to stay within the overhead budget); use tryGetContext() where that can happen",
    );
  return ctx;
}

/**
 * The id of the glassbox record for the request running now, from any code inside it.
 * Logs, tracers and job producers use it to link back to the request.
 */
export function currentRequestId(): string | undefined {
  return tryGetContext()?.id;
}

const BACKGROUND_KEY = Symbol.for("glassbox.background-providers");
type GlobalWithBackground = typeof globalThis & {
  [BACKGROUND_KEY]?: Array<() => RequestContext | undefined>;
};
const globalBackground = globalThis as GlobalWithBackground;
if (!globalBackground[BACKGROUND_KEY]) globalBackground[BACKGROUND_KEY] = [];
const backgroundProviders: Array<() => RequestContext | undefined> = globalBackground[BACKGROUND_KEY];

/** Registers where events go when no request is running; returns the unregister function. */
export function addBackgroundProvider(provider: () => RequestContext | undefined): () => void {
  backgroundProviders.push(provider);
  return () => {
    const i = backgroundProviders.indexOf(provider);
    if (i >= 0) backgroundProviders.splice(i, 1);
  };
}

/**
 * Where an instrumentation records an event now: the running request's context, else the
 * background bucket of the first live glassbox instance, else nowhere (glassbox not started, or
 * a request glassbox does not record).
 */
export function activeContext(): RequestContext | undefined {
  const ctx = contextStorage.getStore();
  if (ctx) return ctx === UNRECORDED ? undefined : (ctx as RequestContext);
  for (const provider of backgroundProviders) {
    const bg = provider();
    if (bg) return bg;
  }
  return undefined;
}
