import type { Server } from "node:net";
import { activeContext } from "../../core/context.js";
import { boundedData } from "./data.js";
import { pointStep, stepsEnabled } from "./step.js";

/**
 * Records an app lifecycle moment ("listen", "close") as a point event, usually in the
 * background record (nothing else runs a request then). Never throws.
 *
 * @example
 * lifecycleEvent("listen", { address: "127.0.0.1:3000" });
 */
export function lifecycleEvent(name: string, data?: Record<string, unknown>): void {
  try {
    const ctx = activeContext();
    // Before bounding the data (a JSON round trip): nothing to do when the panel is off.
    if (!ctx || !stepsEnabled(ctx)) return;
    const init: Parameters<typeof pointStep>[1] = { kind: "lifecycle", name };
    if (data !== undefined) {
      const kept = boundedData(ctx, data);
      init.data = kept.data;
      if (kept.truncated) init.truncated = true;
    }
    pointStep(ctx, init);
  } catch {
    // Recording must never affect the server.
  }
}

/** "127.0.0.1:3000", "[::1]:3000" or a pipe path. */
export function describeAddress(address: ReturnType<Server["address"]>): string | undefined {
  if (!address) return undefined;
  if (typeof address === "string") return address;
  return address.family === "IPv6" || address.address.includes(":")
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`;
}

/**
 * Records when a node server starts listening and when it closes, in the Events panel of the
 * background record. Fastify apps get this automatically; use it for Express, Koa, Hono and
 * node:http servers. Only "listening" and "close" listeners are added (never "error"). Returns
 * the undo.
 *
 * @example
 * import { watchServer } from "glassbox";
 * const server = app.listen(3000);
 * watchServer(server);
 */
export function watchServer(server: Server): () => void {
  if (typeof server?.on !== "function") return () => {};
  const onListening = () => {
    const address = describeAddress(server.address());
    lifecycleEvent("listen", address ? { address } : undefined);
  };
  const onClose = () => lifecycleEvent("close");
  // Already listening (watched after listen() returned and bound): record it now.
  if (server.listening) onListening();
  else server.once("listening", onListening);
  server.once("close", onClose);
  return () => {
    server.removeListener("listening", onListening);
    server.removeListener("close", onClose);
  };
}
