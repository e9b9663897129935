import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { checkAppModules } from "../instrument/app-module.js";
import { builtinPanels } from "../panels/index.js";
import { openStore } from "../store/open.js";
import type { Store } from "../store/store.js";
import type { BodyCollector } from "./body-preview.js";
import { type GlassboxConfig, type GlassboxOptions, resolveConfig } from "./config.js";
import {
  addBackgroundProvider,
  type BaseEvent,
  type EventType,
  RequestContext,
  recordingState,
  runInContext,
  switchStorageOff,
  UNRECORDED,
} from "./context.js";
import { GlassboxError, type Logger, Warner } from "./errors.js";
import { hasBody, pathOf, snapshotRequest, watchRequestBody } from "./exchange.js";
import { clientAllowed, hostAllowed } from "./guard.js";
import { newRecordId, newSpanId, newTraceId, parseTraceParent } from "./ids.js";
import { cspNonce, injectInto, toolbarSnippet } from "./inject.js";
import { moveLateEvent } from "./late-event.js";
import { OverheadGovernor, type RecordingGate, type RecordingStats, UnlimitedRecording } from "./overhead.js";
import type { Panel, PanelSetup } from "./panel.js";
import type { GlassboxRecord } from "./record.js";
import { buildRecord, serverTimingHeader } from "./record-builder.js";
import { makeRedactRules, type RedactRules } from "./redact.js";
import { hookResponse, type ResponseObservation } from "./response-hook.js";

export interface BeginOptions {
  framework: string;
  /**
   * The client IP as the framework's trust-proxy setting resolves it, or a function that reads it
   * from the request (called only for requests glassbox records: resolving it can cost a few
   * microseconds). Taking the request lets an adapter pass one options object for every request.
   */
  clientIp?: string | ((req: IncomingMessage) => string | undefined);
}

const BACKGROUND_WINDOW_MS = 2000;
const consoleLogger: Logger = {
  warn: (message) => process.emitWarning(message, { type: "GlassboxWarning" }),
};

/**
 * One glassbox: config, panels, store. Adapters call `begin` for each request and `handle` for
 * glassbox's own routes; everything that is not framework-specific happens here.
 */
export class Glassbox {
  readonly config: GlassboxConfig;
  readonly store: Store;
  readonly panels: readonly Panel[];
  readonly redact: RedactRules;
  readonly warner: Warner;
  /** Random per instance, stamped on recorded queries: EXPLAIN replays only this instance's. */
  readonly instanceId: string = randomUUID();
  readonly limits: {
    eventsPerType: number;
    bodyPreviewBytes: number;
    stackDepth: number;
    injectMaxBytes: number;
  };
  /** Admits requests for recording within the overhead budget and measures what they cost. */
  private readonly gate: RecordingGate;
  private readonly listeners = new Set<(record: GlassboxRecord) => void>();
  private readonly teardowns: (() => void)[] = [];
  private readonly ignore: (path: string) => boolean;
  private background: RequestContext | undefined;
  private backgroundTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(config: GlassboxConfig) {
    this.config = config;
    this.limits = config.limits;
    this.warner = new Warner(config.logger ?? consoleLogger);
    this.redact = makeRedactRules(config.redact);
    this.panels = selectPanels(config);
    this.gate = config.overhead ? new OverheadGovernor(config.overhead) : new UnlimitedRecording();
    this.store =
      "add" in config.store
        ? config.store
        : openStore(config.store, this.warner, (ms) => this.gate.charge(ms));
    const prefixes = config.ignore;
    this.ignore = prefixes.length
      ? (path) => prefixes.some((p) => (typeof p === "string" ? path.startsWith(p) : p.test(path)))
      : () => false;
    const setup: PanelSetup = {
      config: config as unknown as Record<string, unknown>,
      warn: (code, message, onceKey) => this.warner.warn(code, message, onceKey),
    };
    for (const panel of this.panels) {
      try {
        const teardown = panel.setup?.(setup);
        if (typeof teardown === "function") this.teardowns.push(teardown);
      } catch (error) {
        this.warner.warn(
          "GBXW002",
          `panel "${panel.id}" failed to set up: ${(error as Error).message}`,
          `setup:${panel.id}`,
        );
      }
    }
    this.teardowns.push(addBackgroundProvider(() => this.backgroundContext()));
  }

  /**
   * Validates options and starts glassbox. Returns undefined when `enabled` is false: callers
   * then install nothing at all. Throws GBX_ERR_PRODUCTION under NODE_ENV=production unless
   * `allowInProduction` is set, and GBX_ERR_CONFIG for bad options.
   */
  static create(options: GlassboxOptions = {}): Glassbox | undefined {
    const config = resolveConfig(options);
    if (!config.enabled) return undefined;
    if (process.env.NODE_ENV === "production" && !config.allowInProduction) {
      throw new GlassboxError(
        "GBX_ERR_PRODUCTION",
        "glassbox is a development tool and NODE_ENV is production. Remove it from production builds, or pass { allowInProduction: true } if you really mean it (its UI still answers only loopback clients unless `allow` says otherwise).",
      );
    }
    return new Glassbox(config);
  }

  get prefix(): string {
    return this.config.prefix;
  }

  /** Whether a path belongs to glassbox itself (never recorded). */
  isOwnPath(path: string): boolean {
    const p = this.config.prefix;
    return (
      path.startsWith(p) &&
      (path.length === p.length ||
        path.charCodeAt(p.length) === 47 /* / */ ||
        path.charCodeAt(p.length) === 63) /* ? */
    );
  }

  /** Whether this client may see glassbox: loopback or allowed, and a Host naming this machine. */
  isVisibleTo(clientIp: string | undefined, host: string | undefined): boolean {
    return hostAllowed(host, this.config.hosts) && clientAllowed(clientIp, host, this.config.allow);
  }

  /**
   * Opens the context for one request and watches its response. Returns undefined for
   * requests glassbox does not record (its own routes, ignored paths).
   */
  begin(req: IncomingMessage, res: ServerResponse, options: BeginOptions): RequestContext | undefined {
    if (this.closed) return undefined;
    // Every request reads its socket's peer address, not just the recorded ones: Node caches it on
    // the socket (`_peername`) at the first read, which gives the socket another hidden class. Read
    // only for a sample, it left sockets of two shapes, and Node's hot socket and stream code
    // deoptimized and recompiled after recorded requests (docs/benchmarks.md, 2026-12-05).
    req.socket?.remoteAddress;
    const path = pathOf(req.url);
    if (this.isOwnPath(path) || this.ignore(path)) return undefined;
    if (!this.gate.admit()) {
      if (this.gate.skipped === 1) this.warnSampling();
      return undefined;
    }
    const started = performance.now();
    // A library the app loaded since the last recorded request, where no require hook saw it.
    checkAppModules();
    const clientIp = typeof options.clientIp === "function" ? options.clientIp(req) : options.clientIp;
    const snapshot = snapshotRequest(req, clientIp);
    const parent = parseTraceParent(req.headers.traceparent);
    const ctx = new RequestContext({
      id: newRecordId(),
      kind: "request",
      owner: this,
      traceId: parent?.traceId ?? newTraceId(),
      spanId: newSpanId(),
      ...(parent ? { parentSpanId: parent.parentSpanId } : {}),
    });
    ctx.request = snapshot;
    ctx.framework = options.framework;
    ctx.visible = this.isVisibleTo(snapshot.clientIp, req.headers.host);
    if (ctx.visible && wantsDeep(req)) ctx.flags.add("deep");
    const panels = this.panels;
    for (let i = 0; i < panels.length; i++) {
      const start = panels[i]!.start;
      if (start === undefined) continue;
      try {
        ctx.panelState[i] = start.call(panels[i], ctx);
      } catch (error) {
        this.panelFailed(panels[i]!, error);
      }
    }
    const body = hasBody(req) ? watchRequestBody(req, this.limits.bodyPreviewBytes) : undefined;
    const seen = hookResponse(res, {
      visible: ctx.visible,
      inject: this.config.toolbar,
      prefix: this.config.prefix,
      recordId: ctx.id,
      bodyPreviewBytes: this.limits.bodyPreviewBytes,
      injectMaxBytes: this.limits.injectMaxBytes,
      isHead: snapshot.method === "HEAD",
      alreadyInjected: () => ctx.toolbarInjected,
      ...(this.config.serverTiming ? { serverTiming: () => serverTimingHeader(this, ctx) } : {}),
      warn: (code, message) => this.warner.warn(code, message),
    });
    // 'close' follows 'finish' on every response (and alone when the client went away): one
    // listener sees both endings. A response already closed (an app hook ahead of glassbox waited
    // while the client left) has had its 'close': the record is completed, aborted, right after.
    recordingState.inFlight++;
    const closedAlready = res.closed;
    const ended = () => {
      recordingState.inFlight--;
      this.complete(ctx, res, seen, body, req.complete, closedAlready);
    };
    if (closedAlready) setImmediate(ended);
    else res.once("close", ended);
    ctx.ownMs += performance.now() - started;
    return ctx;
  }

  private warnSampling(): void {
    this.warner.warn(
      "GBXW010",
      `the app is busy: glassbox records a sample of requests to stay within ${budgetText(this.config.overhead)} of its time and counts the rest (see /api/health); overhead: false records every request`,
      "overhead-budget",
    );
  }

  /** Runs `fn` inside the request's context (AsyncLocalStorage), so instrumentations find it. */
  run<T>(ctx: RequestContext, fn: () => T): T {
    return runInContext(ctx, fn);
  }

  /**
   * Runs a request glassbox does not record (begin returned undefined): its queries and logs
   * then go nowhere, rather than to the background bucket or to another request's record.
   * While glassbox samples under load and no recorded request runs, the context storage is
   * switched off altogether (async hooks cost every promise something); the background bucket
   * takes nothing meanwhile, since events outside a context cannot be told apart then.
   */
  runUnrecorded<T>(fn: () => T): T {
    if (recordingState.inFlight === 0 && this.gate.sampling()) {
      switchStorageOff();
      return fn();
    }
    return runInContext(UNRECORDED, fn);
  }

  /** How many requests were recorded and skipped under the overhead budget, and what it cost. */
  recordingStats(): RecordingStats {
    return this.gate.stats();
  }

  /**
   * Puts the toolbar into a whole HTML body before the framework sends it, for frameworks that
   * hand the body over ahead of compression (Fastify's onSend). Same rules as the response hook;
   * returns the body unchanged when they say no. Once injected, the response hook leaves this
   * response's body alone.
   *
   * @example
   * app.addHook("onSend", (request, reply, payload, done) =>
   *   done(null, gb.injectToolbar(ctx, payload, { status: reply.statusCode, header: (n) => reply.getHeader(n) })),
   * );
   */
  injectToolbar(
    ctx: RequestContext,
    body: string | Buffer,
    response: { status: number; header(name: string): unknown },
  ): string | Buffer {
    if (ctx.toolbarInjected || !ctx.visible || !this.config.toolbar || ctx.request?.method === "HEAD")
      return body;
    const status = response.status;
    if (status < 200 || status === 204 || status === 304) return body;
    if (!/^text\/html/i.test(String(response.header("content-type") ?? ""))) return body;
    const encoding = response.header("content-encoding");
    if (encoding !== undefined && String(encoding).toLowerCase() !== "identity") return body;
    const html = typeof body === "string" ? Buffer.from(body) : body;
    if (html.length > this.limits.injectMaxBytes) return body;
    const csp = response.header("content-security-policy") as string | string[] | undefined;
    ctx.toolbarInjected = true;
    return injectInto(html, Buffer.from(toolbarSnippet(this.prefix, ctx.id, cspNonce(csp))));
  }

  private complete(
    ctx: RequestContext,
    res: ServerResponse,
    seen: ResponseObservation,
    body: BodyCollector | undefined,
    requestComplete: boolean,
    clientGone: boolean,
  ): void {
    const started = performance.now();
    ctx.endPerf = started;
    try {
      ctx.beforeRecord?.();
    } catch {
      // A framework detail we could not read; the record is still worth keeping.
    }
    // See RequestContext.beforeRecord: the context may outlive the request, the closure must not.
    ctx.beforeRecord = undefined;
    try {
      const requestBody = body?.preview(ctx.request?.headers["content-type"] as string | undefined);
      // Client gone mid-body, or the app answered without reading it all: the preview is partial.
      if (requestBody && ctx.request)
        ctx.request.body = requestComplete ? requestBody : { ...requestBody, truncated: true };
      // A response written after its client left still counts as finished to Node.
      const aborted = clientGone || !res.writableFinished;
      ctx.response = {
        status: res.statusCode,
        headers: seen.headers ?? res.getHeaders(),
        aborted,
        ...(seen.injection ? { injection: seen.injection } : {}),
      };
      const responseBody = seen.body?.preview(seen.bodyContentType);
      if (responseBody) ctx.response.body = aborted ? { ...responseBody, truncated: true } : responseBody;
      if (seen.body) ctx.response.bytes = seen.body.bytes;
      this.save(buildRecord(this, ctx));
    } catch (error) {
      this.warner.warn(
        "GBXW002",
        `a record could not be built: ${(error as Error).stack ?? error}`,
        "record-build",
      );
    }
    ctx.seal();
    this.gate.settle(ctx.ownMs + seen.ownMs + performance.now() - started);
  }

  private save(record: GlassboxRecord): void {
    try {
      this.store.add(record);
    } catch (error) {
      this.warner.warn("GBXW003", `the store refused a record: ${(error as Error).message}`, "store-add");
    }
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch {
        // A listener (live dashboard) failing must not affect recording.
      }
    }
  }

  /** Calls `listener` with every finished record; returns the unsubscribe function. */
  subscribe(listener: (record: GlassboxRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  panelFailed(panel: Panel, error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    this.warner.warn("GBXW002", `panel "${panel.id}" threw: ${message}`, `panel:${panel.id}`);
    return message;
  }

  /** The context events go to when no request is running; its window is stored every 2 s. */
  private backgroundContext(): RequestContext | undefined {
    if (this.closed || this.gate.sampling()) return undefined;
    if (!this.background) {
      this.background = new RequestContext({
        id: newRecordId(),
        kind: "background",
        owner: this,
        traceId: newTraceId(),
        spanId: newSpanId(),
      });
      this.backgroundTimer = setTimeout(() => this.flushBackground(), BACKGROUND_WINDOW_MS).unref();
    }
    return this.background;
  }

  /** Stores the current background window, if anything happened in it. */
  flushBackground(): void {
    const ctx = this.background;
    this.background = undefined;
    if (this.backgroundTimer) clearTimeout(this.backgroundTimer);
    this.backgroundTimer = undefined;
    if (!ctx) return;
    if (!ctx.isEmpty) {
      ctx.endPerf = performance.now();
      try {
        this.save(buildRecord(this, ctx));
      } catch (error) {
        this.warner.warn("GBXW006", (error as Error).message);
      }
    }
    // A timer started in this window may still fire: its events go to the next one.
    ctx.seal();
  }

  /** See ContextOwner.lateEvent: what outlived its request goes to the background record. */
  lateEvent(from: RequestContext, type: EventType, event: BaseEvent): void {
    const background = this.backgroundContext();
    // The open window is never sealed; the check keeps a broken invariant from looping forever.
    if (background && background !== from) moveLateEvent(from, background, type, event);
  }

  /** Stores what is pending, undoes every patch and closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flushBackground();
    this.closed = true;
    for (const teardown of this.teardowns.reverse()) {
      try {
        teardown();
      } catch {
        // Keep tearing down the rest.
      }
    }
    this.listeners.clear();
    await this.store.close();
  }
}

function selectPanels(config: GlassboxConfig): Panel[] {
  const disabled = new Set(config.disablePanels);
  const panels = [...builtinPanels(config).filter((p) => !disabled.has(p.id)), ...config.panels];
  const ids = new Set<string>();
  for (const p of panels) {
    if (ids.has(p.id))
      throw new GlassboxError(
        "GBX_ERR_PANEL_ID",
        `Two panels have the id "${p.id}". Give your panel another id.`,
      );
    ids.add(p.id);
  }
  // Panels that read the others (alerts) run last.
  return panels.sort((a, b) => (a.id === "alerts" ? 1 : 0) - (b.id === "alerts" ? 1 : 0));
}

function budgetText(overhead: GlassboxConfig["overhead"]): string {
  return overhead ? `${+(overhead.budget * 100).toFixed(2)} %` : "no limit";
}

function wantsDeep(req: IncomingMessage): boolean {
  const header = req.headers["x-glassbox-deep"];
  if (header === "1" || header === "true") return true;
  const cookie = req.headers.cookie;
  return cookie?.includes("glassbox-deep=1") === true;
}
