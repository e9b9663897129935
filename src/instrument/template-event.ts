/**
 * The template render event, and the bookkeeping every template instrumentation shares: which
 * renders are open in a request (so an include or partial knows its parent), and a bounded,
 * masked preview of the data a template was given.
 */
import { relative } from "node:path";
import { captureCallSite, type StackFrame } from "../core/callsite.js";
import type { BaseEvent, RequestContext } from "../core/context.js";
import { activeContext } from "../core/context.js";
import { isSecretKey, type RedactRules, redactValue } from "../core/redact.js";

/** The data a template was given: its keys, and a short masked preview of each value. */
export interface TemplateContext {
  keys: string[];
  values: Record<string, string>;
  /** Keys or values were cut to fit `templates.maxValueBytes` / the key limit. */
  truncated?: boolean;
}

/** One template rendered: a whole view, or an include/partial inside one. */
export interface TemplateEvent extends BaseEvent {
  /** Unique within the process; children name their parent's id in `parentId`. */
  id: number;
  parentId?: number;
  /**
   * "view": res.render / reply.view / fastify.view; "include": an EJS include; "partial": a
   * Handlebars partial; "template": an engine render outside any view (ejs.render, ...).
   */
  kind: "view" | "include" | "partial" | "template";
  /** Who rendered it: "express", "fastify-view", "ejs", "handlebars". */
  source: string;
  /** The view engine ("ejs", "pug", "handlebars", ...), when known. */
  engine?: string;
  /** The name the app used ("users/show", "header", "index.ejs"). */
  name: string;
  /** The template file, relative to the working directory when inside it. */
  file?: string;
  durationMs: number;
  context?: TemplateContext;
  error?: string;
  callSite?: StackFrame;
}

declare module "../core/context.js" {
  interface GlassboxEvents {
    template: TemplateEvent;
  }
}

/** A render that has started and not finished yet. */
export interface OpenRender {
  readonly ctx: RequestContext;
  readonly event: TemplateEvent;
  /** Absolute file, to tell the page's own engine render from its includes. */
  readonly absoluteFile?: string;
}

const open = new WeakMap<RequestContext, OpenRender[]>();
let lastId = 0;
const MAX_KEYS = 100;
const DEFAULT_MAX_VALUE_BYTES = 256;
/** Framework internals merged into every Express render's data, not the app's. */
const INTERNAL_KEYS = new Set(["settings", "_locals", "cache"]);

/**
 * Starts recording a render in the context running now; undefined outside any context. The
 * innermost render still open in the same context becomes the parent.
 */
export function beginRender(init: {
  kind: TemplateEvent["kind"];
  source: string;
  engine?: string;
  name: string;
  file?: string;
  /** The data handed to the template: recorded as keys and masked previews. */
  data?: unknown;
  /** Record where the app asked for the render (views only: includes are called by the engine). */
  callSite?: boolean;
}): OpenRender | undefined {
  const ctx = activeContext();
  if (!ctx) return undefined;
  try {
    const stack = open.get(ctx) ?? [];
    const parent = stack[stack.length - 1];
    lastId = (lastId + 1) % Number.MAX_SAFE_INTEGER;
    const event: TemplateEvent = {
      at: ctx.now(),
      id: lastId,
      kind: init.kind,
      source: init.source,
      name: String(init.name),
      durationMs: 0,
    };
    if (parent) event.parentId = parent.event.id;
    if (init.engine) event.engine = init.engine;
    if (init.file) event.file = displayPath(init.file);
    if (init.data !== undefined) {
      const context = previewContext(init.data, ctx.owner.redact, maxValueBytes(ctx));
      if (context) event.context = context;
    }
    if (init.callSite) {
      const frame = captureCallSite(1).frame;
      if (frame) event.callSite = frame;
    }
    const render: OpenRender = init.file ? { ctx, event, absoluteFile: init.file } : { ctx, event };
    stack.push(render);
    open.set(ctx, stack);
    return render;
  } catch {
    return undefined;
  }
}

/** Finishes a render (with its error, if it failed) and records it. Never throws. */
export function endRender(render: OpenRender, error?: unknown): void {
  try {
    const { ctx, event } = render;
    event.durationMs = Math.max(0, ctx.now() - event.at);
    if (error !== undefined && error !== null) event.error = errorText(error);
    const stack = open.get(ctx);
    const i = stack ? stack.lastIndexOf(render) : -1;
    if (stack && i >= 0) stack.splice(i, 1);
    ctx.emit("template", event);
  } catch {
    // Recording must never affect the render.
  }
}

/** The innermost render still open in the context running now. */
export function currentRender(): OpenRender | undefined {
  const ctx = activeContext();
  const stack = ctx ? open.get(ctx) : undefined;
  return stack?.[stack.length - 1];
}

/**
 * Whether an engine-level render of `file` is the open view itself (the page Express or
 * @fastify/view asked the engine for) rather than an include inside it.
 */
export function isSameTemplate(render: OpenRender, file: string | undefined): boolean {
  if (!file) return false;
  if (render.absoluteFile) return render.absoluteFile === file;
  const name = render.event.name.replace(/^[./\\]+/, "");
  return file === name || file.endsWith(`/${name}`) || file.endsWith(`\\${name}`);
}

/** Runs a render function and ends the record when it returns, throws or its promise settles. */
export function track<T>(render: OpenRender | undefined, run: () => T): T {
  if (!render) return run();
  let result: T;
  try {
    result = run();
  } catch (error) {
    endRender(render, error);
    throw error;
  }
  if (result && typeof (result as { then?: unknown }).then === "function") {
    (result as unknown as Promise<unknown>).then(
      () => endRender(render),
      (error: unknown) => endRender(render, error),
    );
  } else endRender(render);
  return result;
}

/** Keys of the data and a bounded preview of each value; secret-named keys are masked. */
export function previewContext(
  data: unknown,
  rules: RedactRules,
  maxBytes: number,
): TemplateContext | undefined {
  if (data === null || typeof data !== "object") return undefined;
  const keys = Object.keys(data).filter((k) => !INTERNAL_KEYS.has(k));
  const context: TemplateContext = { keys: keys.slice(0, MAX_KEYS), values: {} };
  if (keys.length > MAX_KEYS) context.truncated = true;
  for (const key of context.keys) {
    let value: unknown;
    try {
      value = (data as Record<string, unknown>)[key];
    } catch {
      value = "[unreadable]";
    }
    if (isSecretKey(key, rules) && value !== null && value !== undefined) {
      context.values[key] = rules.replacement;
      continue;
    }
    const [text, cut] = previewValue(value, rules, maxBytes);
    context.values[key] = text;
    if (cut) context.truncated = true;
  }
  return context;
}

function previewValue(value: unknown, rules: RedactRules, maxBytes: number): [string, boolean] {
  let text: string;
  if (typeof value === "string")
    text = JSON.stringify(value.length > maxBytes ? value.slice(0, maxBytes + 1) : value);
  else if (typeof value === "function") text = `[function ${value.name || "anonymous"}]`;
  else if (typeof value === "bigint" || typeof value === "symbol") text = String(value);
  else if (value === undefined) text = "undefined";
  else {
    try {
      text = JSON.stringify(redactValue(value, rules), (_k, v: unknown) =>
        typeof v === "bigint" ? v.toString() : typeof v === "function" ? "[function]" : v,
      );
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  if (Buffer.byteLength(text) <= maxBytes) return [text, false];
  let cut = Buffer.from(text.slice(0, maxBytes)).subarray(0, maxBytes).toString("utf8");
  if (cut.endsWith("\ufffd")) cut = cut.slice(0, -1);
  return [`${cut}…(truncated)`, true];
}

function maxValueBytes(ctx: RequestContext): number {
  const configured = (ctx.owner.config as { templates?: { maxValueBytes?: number } }).templates
    ?.maxValueBytes;
  return typeof configured === "number" && configured > 0 ? configured : DEFAULT_MAX_VALUE_BYTES;
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") ? rel : file;
}

function errorText(error: unknown): string {
  if (error instanceof Error)
    return `${error.name && error.name !== "Error" ? `${error.name}: ` : ""}${error.message}`.slice(0, 2000);
  return String(error).slice(0, 2000);
}
