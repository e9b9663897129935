import type { BodyPreview } from "./record.js";

const TEXTUAL =
  /^(text\/|application\/(json|[\w.+-]*\+json|x-www-form-urlencoded|xml|[\w.+-]*\+xml|javascript|graphql|x-ndjson)|multipart\/form-data)/i;
const BINARY_PREVIEW_BYTES = 1024;

export function isTextual(contentType: string | undefined): boolean {
  return contentType === undefined || contentType === "" || TEXTUAL.test(contentType);
}

/**
 * Collects the first `limit` bytes of a body as it streams past, counting the rest.
 * Keeps chunk references until `preview()` so the hot path never copies.
 */
export class BodyCollector {
  private chunks: Buffer[] = [];
  private kept = 0;
  bytes = 0;

  constructor(private readonly limit: number) {}

  add(chunk: unknown, encoding?: BufferEncoding): void {
    if (chunk === null || chunk === undefined) return;
    let buf: Buffer;
    if (typeof chunk === "string") buf = Buffer.from(chunk, encoding ?? "utf8");
    else if (chunk instanceof Uint8Array) buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else return;
    this.bytes += buf.length;
    if (this.kept < this.limit) {
      const take = Math.min(buf.length, this.limit - this.kept);
      // Copy only the slice we keep: the caller may reuse its buffer after write() returns.
      this.chunks.push(Buffer.from(buf.subarray(0, take)));
      this.kept += take;
    }
  }

  preview(contentType: string | undefined): BodyPreview | undefined {
    if (this.bytes === 0) return undefined;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    return makePreview(all, this.bytes, contentType);
  }
}

/** A preview from bytes already in hand (`total` is the whole body's size). */
export function makePreview(bytes: Buffer, total: number, contentType: string | undefined): BodyPreview {
  const ct = contentType?.split(";")[0]?.trim();
  const base: Pick<BodyPreview, "bytes" | "contentType"> = {
    bytes: total,
    ...(ct ? { contentType: ct } : {}),
  };
  if (isTextual(contentType)) {
    // A cut can split a multi-byte character: drop the partial tail rather than store U+FFFD.
    let text = bytes.toString("utf8");
    if (total > bytes.length && text.endsWith("\uFFFD")) text = text.slice(0, -1);
    return { ...base, text, truncated: total > bytes.length, encoding: "utf8" };
  }
  const kept = bytes.subarray(0, BINARY_PREVIEW_BYTES);
  return { ...base, text: kept.toString("base64"), truncated: total > kept.length, encoding: "base64" };
}
