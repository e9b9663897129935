import { randomBytes, randomUUID } from "node:crypto";

/**
 * A record id: a UUID version 7 (RFC 9562), unique across processes sharing one store and
 * ordered by creation time, so the store's id index grows at one end instead of at random.
 */
export function newRecordId(now: number = Date.now()): string {
  const ms = now.toString(16).padStart(12, "0").slice(-12);
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-Yxxx-xxxxxxxxxxxx: 122 random bits
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19, 23)}-${random.slice(24)}`;
}

// Span ids come from a pooled random buffer: one syscall per 512 ids instead of one per request.
const POOL_IDS = 512;
let pool = randomBytes(8 * POOL_IDS);
let poolIndex = 0;

export function newSpanId(): string {
  if (poolIndex === POOL_IDS) {
    pool = randomBytes(8 * POOL_IDS);
    poolIndex = 0;
  }
  const start = 8 * poolIndex++;
  return pool.toString("hex", start, start + 8);
}

export function newTraceId(): string {
  return randomUUID().replace(/-/g, "");
}

export interface TraceParent {
  traceId: string;
  parentSpanId: string;
  sampled: boolean;
}

const TRACEPARENT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;

/** Parses a W3C `traceparent` header; returns undefined for anything malformed or all-zero. */
export function parseTraceParent(header: string | string[] | undefined): TraceParent | undefined {
  if (typeof header !== "string") return undefined;
  const m = TRACEPARENT.exec(header.trim().toLowerCase());
  if (!m || m[1] === "ff") return undefined;
  const traceId = m[2]!;
  const parentSpanId = m[3]!;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentSpanId)) return undefined;
  return { traceId, parentSpanId, sampled: (Number.parseInt(m[4]!, 16) & 1) === 1 };
}
