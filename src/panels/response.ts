import { definePanel } from "../core/panel.js";
import type { BodyPreview, ErrorSnapshot } from "../core/record.js";
import { type ViewNode, view } from "../core/view.js";
import { bodyView, redactBody } from "./request.js";

export interface ResponseData {
  status: number;
  contentType?: string;
  bytes?: number;
  body?: BodyPreview;
  aborted: boolean;
  injection?: string;
  error?: ErrorSnapshot;
}

/** Status, size, a masked body preview, whether the toolbar was injected, and the handler's error. */
export const responsePanel = definePanel<undefined, ResponseData>({
  id: "response",
  title: "Response",
  view: responseView,
  finish(ctx) {
    const res = ctx.response;
    if (!res) return undefined;
    const contentType = res.headers["content-type"];
    const data: ResponseData = { status: res.status, aborted: res.aborted };
    if (contentType !== undefined) data.contentType = String(contentType);
    if (res.bytes !== undefined) data.bytes = res.bytes;
    if (res.body) data.body = redactBody(res.body, ctx.owner.redact);
    if (res.injection) data.injection = res.injection;
    if (ctx.error) data.error = ctx.error;
    const stats: Record<string, number> = { "response.bytes": res.bytes ?? 0 };
    if (ctx.error) stats.errors = 1;
    return {
      data,
      summary: `${res.status}${res.aborted ? " (aborted)" : ""}${ctx.error ? ` ${ctx.error.name}` : ""}`,
      stats,
    };
  },
});

const STACK_LINE = /^\s*at (?:(.+?) \()?(.+?):(\d+)(?::(\d+))?\)?$/;

/** Turns a V8 stack text into frames; lines that are not frames are skipped. */
export function parseStackText(
  stack: string,
): Array<{ file: string; line: number; column?: number; fn?: string }> {
  const frames: Array<{ file: string; line: number; column?: number; fn?: string }> = [];
  for (const line of stack.split("\n")) {
    const m = STACK_LINE.exec(line);
    if (!m) continue;
    const frame: { file: string; line: number; column?: number; fn?: string } = {
      file: m[2]!,
      line: Number(m[3]),
    };
    if (m[4]) frame.column = Number(m[4]);
    if (m[1]) frame.fn = m[1];
    frames.push(frame);
  }
  return frames;
}

const statusTone = (status: number) => (status >= 500 ? "error" : status >= 400 ? "warning" : "ok");

function responseView(data: ResponseData): ViewNode[] {
  const entries: Array<[string, string | number | ViewNode]> = [
    ["Status", view.badge(String(data.status), statusTone(data.status))],
  ];
  if (data.contentType) entries.push(["Content-Type", data.contentType]);
  if (data.bytes !== undefined) entries.push(["Body bytes", data.bytes]);
  if (data.injection) entries.push(["Toolbar", data.injection]);
  if (data.aborted) entries.push(["Aborted", view.badge("client went away", "warning")]);
  const nodes: ViewNode[] = [view.kv(entries)];
  if (data.error) {
    const frames = data.error.stack ? parseStackText(data.error.stack) : [];
    nodes.push(
      view.section("Error", [
        view.text(`${data.error.name}: ${data.error.message}`, "error"),
        frames.length ? { type: "stack", frames } : view.code("text", data.error.stack ?? ""),
      ]),
    );
  }
  if (data.body) nodes.push(bodyView("Body", data.body));
  return nodes;
}
