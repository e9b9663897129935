import { isSessionLike } from "./inspect.js";
import type { AlertFinding, RuleInput, SetCookie } from "./types.js";

/** Shared by the three cookie rules: one finding per cookie that lacks `attribute`. */
export function cookieFindings(
  input: RuleInput,
  attribute: "httponly" | "secure" | "samesite",
  describe: (cookie: SetCookie, sessionLike: boolean) => Omit<AlertFinding, "evidence" | "docs"> | undefined,
): AlertFinding[] {
  const findings: AlertFinding[] = [];
  for (const cookie of input.setCookies) {
    if (cookie.deleting) continue;
    const sessionLike = isSessionLike(cookie.name);
    const found = describe(cookie, sessionLike);
    if (!found) continue;
    findings.push({
      ...found,
      evidence: {
        header: "set-cookie",
        cookie: cookie.name,
        attribute,
        sessionLike,
        attributes: [...cookie.attributes.keys()].join("; ") || "(none)",
      },
      docs: "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Set-Cookie",
    });
  }
  return findings;
}
