import { createHash } from "node:crypto";
import { isShared } from "../core/shared.js";

/** How a shared value stands in a stored record: `{ "$shared": "<sha1 of its JSON>" }`. */
const REF = "$shared";

/**
 * Writes each shared value (src/core/shared.ts) once and replaces it with a reference in panel
 * data, at the panel level and one level below (a route list inside the routes panel's data).
 */
export class SharedValues {
  private readonly hashes = new WeakMap<object, string>();
  private readonly written = new Set<string>();

  constructor(
    private readonly save: (hash: string, json: string) => void,
    private readonly load: (hash: string) => string | undefined,
  ) {}

  private ref(value: object): { [REF]: string } {
    let hash = this.hashes.get(value);
    let json: string | undefined;
    if (!hash) {
      json = JSON.stringify(value);
      hash = createHash("sha1").update(json).digest("hex");
      this.hashes.set(value, hash);
    }
    // Checked every time, not only on first sight: after clear() (or a rolled-back write) a value
    // the app keeps using must be written again.
    if (!this.written.has(hash)) {
      this.save(hash, json ?? JSON.stringify(value));
      this.written.add(hash);
    }
    return { [REF]: hash };
  }

  /** Panel data with shared values swapped for references (the input is not changed). */
  deflate(data: unknown): unknown {
    if (isShared(data)) return this.ref(data);
    if (typeof data !== "object" || data === null || Array.isArray(data)) return data;
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(data)) {
      if (isShared(v)) {
        out ??= { ...(data as Record<string, unknown>) };
        out[k] = this.ref(v);
      }
    }
    return out ?? data;
  }

  /** The inverse of deflate: references replaced by their values. */
  inflate(data: unknown): unknown {
    const hash = refOf(data);
    if (hash) return this.resolve(hash);
    if (typeof data !== "object" || data === null || Array.isArray(data)) return data;
    const obj = data as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      const h = refOf(obj[k]);
      if (h) obj[k] = this.resolve(h);
    }
    return obj;
  }

  private resolve(hash: string): unknown {
    const json = this.load(hash);
    return json === undefined ? { missing: `shared value ${hash} was pruned` } : JSON.parse(json);
  }

  /** Forget what was written (after the table is cleared, or a write was rolled back). */
  reset(): void {
    this.written.clear();
  }
}

function refOf(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const hash = (value as Record<string, unknown>)[REF];
  return typeof hash === "string" && Object.keys(value).length === 1 ? hash : undefined;
}
