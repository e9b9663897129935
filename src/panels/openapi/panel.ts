import type { OpenApiSource } from "../../core/config.js";
import { GlassboxError } from "../../core/errors.js";
import type { Panel } from "../../core/panel.js";
import type { Alert } from "../../core/record.js";
import { type ViewNode, view } from "../../core/view.js";
import { type CompiledDocument, compileDocument } from "./document.js";
import { readDocumentFile } from "./load.js";
import { matchOperation } from "./match.js";
import { type Violation, validateRequest, validateResponse } from "./validate.js";

/** What the OpenAPI panel stores (`record.panels.openapi.data`). */
export interface OpenApiData {
  document?: { title: string; version: string; openapi: string };
  /** The matched operation, when the request is documented. */
  operation?: {
    method: string;
    path: string;
    operationId?: string;
    tags: string[];
    summary?: string;
    deprecated?: boolean;
  };
  /** Path parameters as read against the template. */
  params?: Record<string, string>;
  /** "route": no documented path matches; "method": the path is documented without this method. */
  undocumented?: "route" | "method";
  undocumentedStatus?: number;
  violations: Violation[];
  notes: string[];
}

type Source = { kind: "ready"; doc: CompiledDocument } | { kind: "lazy"; load: () => unknown };

function prepare(source: OpenApiSource): Source {
  if (typeof source === "function") return { kind: "lazy", load: source };
  return {
    kind: "ready",
    doc: compileDocument(typeof source === "string" ? readDocumentFile(source) : source),
  };
}

/**
 * The OpenAPI panel: matches each request to its documented operation and validates request
 * and response against the document's schemas. A path or object document is read and compiled
 * here, so a malformed one stops glassbox from starting (GBX_ERR_OPENAPI). A function (such as
 * `() => app.swagger()`) is called on the first request, once the framework has built it.
 *
 * @example
 * app.use(glassbox({ openapi: "./openapi.yaml" }));
 */
export function createOpenApiPanel(source: OpenApiSource): Panel<undefined, OpenApiData> {
  let state = prepare(source);
  let failure: GlassboxError | undefined;
  const documentNow = (): CompiledDocument => {
    if (state.kind === "ready") return state.doc;
    if (failure) throw failure;
    let raw: unknown;
    try {
      raw = state.load();
    } catch (error) {
      throw new GlassboxError(
        "GBX_ERR_OPENAPI",
        `openapi: the document function threw: ${(error as Error).message}`,
      );
    }
    if (raw && typeof (raw as { then?: unknown }).then === "function")
      throw new GlassboxError(
        "GBX_ERR_OPENAPI",
        "openapi: the document function returned a Promise; return the document itself (await it before passing a function).",
      );
    try {
      state = { kind: "ready", doc: compileDocument(raw) };
      return state.doc;
    } catch (error) {
      failure = error instanceof GlassboxError ? error : new GlassboxError("GBX_ERR_OPENAPI", String(error));
      throw failure;
    }
  };
  return {
    id: "openapi",
    title: "OpenAPI",
    view: openApiView,
    finish(ctx) {
      const req = ctx.request;
      const res = ctx.response;
      if (ctx.kind !== "request" || !req) return undefined;
      const doc = documentNow();
      const data: OpenApiData = {
        document: { title: doc.title, version: doc.version, openapi: doc.openapi },
        violations: [],
        notes: [],
      };
      const match = matchOperation(doc, req.method, req.path);
      const alerts: Alert[] = [];
      if (match.kind !== "operation") {
        data.undocumented = match.kind;
        alerts.push({
          rule: "openapi.undocumented",
          severity: "warning",
          message:
            match.kind === "route"
              ? `${req.method} ${req.path} matches no path in the OpenAPI document.`
              : `${match.path.template} is documented, but not for ${req.method} (documented: ${[...match.path.operations.keys()].join(", ")}).`,
          evidence: { method: req.method, path: req.path.slice(0, 300), document: doc.title },
          fix: "Document the operation, or remove the route if it should not exist.",
          docs: "https://spec.openapis.org/oas/v3.1.0#paths-object",
        });
      } else {
        const op = match.operation;
        data.operation = { method: op.method, path: op.path, tags: op.tags };
        if (op.operationId) data.operation.operationId = op.operationId;
        if (op.summary) data.operation.summary = op.summary;
        if (op.deprecated) data.operation.deprecated = true;
        data.params = match.params;
        const request = validateRequest(op, match.params, req);
        data.violations.push(...request.violations);
        data.notes.push(...request.notes);
        if (res && !res.aborted) {
          const response = validateResponse(op, res, req.method === "HEAD");
          data.violations.push(...response.violations);
          data.notes.push(...response.notes);
          if (response.undocumentedStatus !== undefined)
            data.undocumentedStatus = response.undocumentedStatus;
        }
        for (const direction of ["request", "response"] as const) {
          const list = data.violations.filter((v) => v.direction === direction);
          if (list.length === 0) continue;
          alerts.push({
            rule: `openapi.${direction}-invalid`,
            severity: "warning",
            message: `The ${direction} does not match ${op.operationId ?? `${op.method} ${op.path}`}: ${list.length} ${list.length === 1 ? "violation" : "violations"}, first ${list[0]!.in} ${list[0]!.pointer || "(root)"} ${list[0]!.message}.`,
            evidence: {
              operation: op.operationId ?? `${op.method} ${op.path}`,
              violations: list.length,
              in: list[0]!.in,
              pointer: list[0]!.pointer,
              message: list[0]!.message.slice(0, 300),
            },
            fix:
              direction === "request"
                ? "Fix the client, or the document if it is out of date."
                : "Fix the handler, or the document if it is out of date.",
            docs: "https://spec.openapis.org/oas/v3.1.0#operation-object",
          });
        }
      }
      return {
        data,
        alerts,
        summary: data.operation
          ? `${data.operation.operationId ?? `${data.operation.method} ${data.operation.path}`}: ${data.violations.length ? `${data.violations.length} violations` : "valid"}`
          : `undocumented ${data.undocumented}`,
        stats: {
          "openapi.violations": data.violations.length,
          "openapi.undocumented": data.undocumented ? 1 : 0,
        },
      };
    },
  };
}

function openApiView(data: OpenApiData): ViewNode[] {
  const nodes: ViewNode[] = [];
  if (data.document)
    nodes.push(
      view.kv([
        ["Document", `${data.document.title} ${data.document.version} (OpenAPI ${data.document.openapi})`],
        [
          "Operation",
          data.operation
            ? view.badge(
                `${data.operation.method} ${data.operation.path}`,
                data.violations.length ? "warning" : "ok",
              )
            : view.badge(
                data.undocumented === "method" ? "method not documented" : "route not documented",
                "warning",
              ),
        ],
        ["operationId", data.operation?.operationId ?? null],
        ["Tags", data.operation?.tags.join(", ") ?? null],
      ]),
    );
  if (data.params && Object.keys(data.params).length)
    nodes.push(view.section("Path parameters", [view.kv(data.params)]));
  if (data.violations.length)
    nodes.push(
      view.table(
        ["Where", "In", "Pointer", "Problem"],
        data.violations.map((v) => [v.direction, v.in, view.code("text", v.pointer || "(root)"), v.message]),
        `${data.violations.length} violations`,
      ),
    );
  else if (data.operation) nodes.push(view.badge("request and response match the document", "ok"));
  if (data.notes.length)
    nodes.push(
      view.section(
        "Not validated",
        data.notes.map((n) => view.text(n, "muted")),
      ),
    );
  return nodes;
}
