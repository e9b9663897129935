import {
  brotliCompressSync,
  brotliDecompressSync,
  deflateSync,
  gunzipSync,
  gzipSync,
  inflateSync,
} from "node:zlib";

/** The one tag glassbox adds to an HTML page: loads the toolbar from the dashboard prefix. */
export function toolbarSnippet(prefix: string, recordId: string, nonce: string | undefined): string {
  const n = nonce ? ` nonce="${escapeAttr(nonce)}"` : "";
  return `<script src="${escapeAttr(prefix)}/toolbar.js" data-glassbox-id="${escapeAttr(recordId)}" data-glassbox-prefix="${escapeAttr(prefix)}" async${n}></script>`;
}

function escapeAttr(s: string): string {
  return s.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The nonce of a Content-Security-Policy's script-src (or default-src), so the tag is allowed. */
export function cspNonce(csp: string | number | string[] | undefined): string | undefined {
  if (csp === undefined) return undefined;
  const text = Array.isArray(csp) ? csp.join(";") : String(csp);
  for (const directive of ["script-src-elem", "script-src", "default-src"]) {
    const m = new RegExp(`(?:^|;)\\s*${directive}\\s+([^;]*)`, "i").exec(text);
    if (!m) continue;
    const nonce = /'nonce-([A-Za-z0-9+/=_-]+)'/.exec(m[1]!);
    return nonce?.[1];
  }
  return undefined;
}

const BODY_CLOSE = [Buffer.from("</body>"), Buffer.from("</BODY>"), Buffer.from("</Body>")];

/** Inserts the snippet before the last `</body>`, or appends it when the page has none. */
export function injectInto(html: Buffer, snippet: Buffer): Buffer {
  let at = -1;
  for (const close of BODY_CLOSE) at = Math.max(at, html.lastIndexOf(close));
  if (at < 0) return Buffer.concat([html, snippet]);
  return Buffer.concat([html.subarray(0, at), snippet, html.subarray(at)]);
}

export type Encoding = "gzip" | "x-gzip" | "deflate" | "br";

export function rewritableEncoding(value: string): Encoding | undefined {
  const v = value.trim().toLowerCase();
  return v === "gzip" || v === "x-gzip" || v === "deflate" || v === "br" ? v : undefined;
}

/** Decompresses, injects and compresses again with the same encoding. Throws on a corrupt body. */
export function injectCompressed(body: Buffer, encoding: Encoding, snippet: Buffer): Buffer {
  switch (encoding) {
    case "gzip":
    case "x-gzip":
      return gzipSync(injectInto(gunzipSync(body), snippet));
    case "deflate":
      return deflateSync(injectInto(inflateSync(body), snippet));
    case "br":
      return brotliCompressSync(injectInto(brotliDecompressSync(body), snippet));
  }
}
