import { definePanel } from "../core/panel.js";
import type { BodyPreview, ErrorSnapshot } from "../core/record.js";
import { redactBody } from "./request.js";

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
