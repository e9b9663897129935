import type { IncomingMessage, ServerResponse } from "node:http";
import type { GlassboxOptions } from "../core/config.js";
import type { AppInfo } from "../core/context.js";
import { recordError } from "../core/error-snapshot.js";
import { forwardedIp } from "../core/exchange.js";
import { Glassbox } from "../core/glassbox.js";
import { pathOf, serveOwnRoute } from "./shared.js";

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface NodeWrapper {
  <H extends NodeHandler>(handler: H): H;
  /** The running glassbox (undefined when disabled): its store, subscribe() and close(). */
  readonly glassbox: Glassbox | undefined;
}

const appInfo: AppInfo = { framework: "node:http", frameworkVersion: process.versions.node };

/**
 * Wraps a plain node:http request handler.
 *
 * @example
 * import http from "node:http";
 * import { glassbox } from "glassbox/node";
 * const withGlassbox = glassbox();
 * http.createServer(withGlassbox((req, res) => res.end("hello"))).listen(3000);
 */
export function glassbox(options: GlassboxOptions = {}): NodeWrapper {
  const gb = Glassbox.create(options);
  const wrap = <H extends NodeHandler>(handler: H): H => {
    if (!gb) return handler;
    const wrapped = function glassboxHandler(this: unknown, req: IncomingMessage, res: ServerResponse) {
      const clientIp = forwardedIp(req, gb.config.trustProxy);
      if (gb.isOwnPath(pathOf(req.url)))
        // A promise that settles like the handler's result, so a caller's .catch() still works.
        return serveOwnRoute(gb, req, res, clientIp, () => handler.call(this, req, res));
      const ctx = gb.begin(req, res, { framework: "node:http", ...(clientIp ? { clientIp } : {}) });
      if (!ctx) return gb.runUnrecorded(() => handler.call(this, req, res));
      ctx.app = appInfo;
      return gb.run(ctx, () => {
        let result: unknown;
        try {
          result = handler.call(this, req, res);
        } catch (error) {
          recordError(ctx, error);
          throw error;
        }
        if (result && typeof (result as Promise<unknown>).then === "function") {
          // Same rejection, still unhandled by us: glassbox records it and never swallows it.
          return (result as Promise<unknown>).then(undefined, (error: unknown) => {
            recordError(ctx, error);
            throw error;
          });
        }
        return result;
      });
    };
    return wrapped as H;
  };
  return Object.assign(wrap, { glassbox: gb }) as NodeWrapper;
}
