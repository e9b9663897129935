import { activeContext } from "../../core/context.js";
import { boundedData } from "./data.js";
import { pointStep, stepsEnabled } from "./step.js";

const MAX_NAME = 200;

/**
 * Records a named event in the Events panel of the request running now (and on its timeline),
 * or in the background record outside any request. `data` is masked (secret-named keys) and cut
 * to `events.maxDataBytes`. Does nothing when glassbox is not running; never throws.
 *
 * @example
 * import { event } from "glassbox";
 * app.post("/orders", (req, res) => {
 *   event("order.created", { id: 42, items: 3 });
 *   res.status(201).end();
 * });
 */
export function event(name: string, data?: unknown): void {
  try {
    const ctx = activeContext();
    // Before bounding the data (a JSON round trip): nothing to do when the panel is off.
    if (!ctx || !stepsEnabled(ctx)) return;
    const init: Parameters<typeof pointStep>[1] = { kind: "user", name: String(name).slice(0, MAX_NAME) };
    if (data !== undefined) {
      const kept = boundedData(ctx, data);
      init.data = kept.data;
      if (kept.truncated) init.truncated = true;
    }
    pointStep(ctx, init);
  } catch {
    // Recording an event must never affect the app.
  }
}
