/**
 * Decodes a URL query component (`+` is a space). A malformed escape is kept as written:
 * hostile or broken input must never throw inside glassbox.
 */
export function decodeQueryComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}
