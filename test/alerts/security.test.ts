import helmet from "helmet";
import { afterEach, describe, expect, it } from "vitest";
import { type AlertsData, createAlertsPanel } from "../../src/panels/alerts/index.js";
import { type AlertsApp, alertsApp, alertsOf, PAGE, rules } from "./support.js";

let app: AlertsApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const HEADER_RULES = [
  "headers.csp-missing",
  "headers.nosniff-missing",
  "headers.frame-protection-missing",
  "headers.referrer-policy-missing",
];

describe("security header alerts", () => {
  it("raises one alert per missing header on an HTML page, with evidence, a fix and a link", async () => {
    app = await alertsApp((a) => a.get("/", (_req, res) => res.send(PAGE)));
    const record = await app.get("/");
    for (const rule of HEADER_RULES) expect(rules(record), rule).toContain(rule);
    const csp = alertsOf(record, "headers.csp-missing")[0]!;
    expect(csp.severity).toBe("warning");
    expect(csp.evidence).toMatchObject({
      header: "content-security-policy",
      value: null,
      appliesTo: "HTML pages",
    });
    expect(csp.fix).toMatch(/Content-Security-Policy/);
    expect(csp.docs).toMatch(/^https:\/\/developer\.mozilla\.org\//);
    expect(record.stats["alerts.warnings"]).toBeGreaterThanOrEqual(3);
    expect(record.stats["alerts.count"]).toBe(record.alerts.length);
    // Plain HTTP: HSTS does not apply.
    expect(rules(record)).not.toContain("headers.hsts-missing");
    // The view renders from the stored record alone.
    const nodes = createAlertsPanel().view!(record.panels.alerts!.data as AlertsData, record);
    expect(JSON.stringify(nodes)).toContain("headers.csp-missing");
  });

  it("helmet clears every header alert, HSTS included on HTTPS behind a trusted proxy", async () => {
    app = await alertsApp((a) => {
      a.set("trust proxy", true);
      a.get("/bare", (_req, res) => res.send(PAGE));
      a.get("/safe", helmet(), (_req, res) => res.send(PAGE));
    });
    const https = { headers: { "x-forwarded-proto": "https" } };
    const bare = await app.get("/bare", https);
    expect(rules(bare)).toContain("headers.hsts-missing");
    const safe = await app.get("/safe", https);
    for (const rule of [...HEADER_RULES, "headers.hsts-missing"])
      expect(rules(safe), rule).not.toContain(rule);
  });

  it("does not judge JSON responses by page-only headers, but still wants nosniff", async () => {
    app = await alertsApp((a) => a.get("/api", (_req, res) => res.json({ ok: true })));
    const record = await app.get("/api");
    expect(rules(record)).not.toContain("headers.csp-missing");
    expect(rules(record)).not.toContain("headers.frame-protection-missing");
    expect(rules(record)).toContain("headers.nosniff-missing");
  });

  it("accepts CSP frame-ancestors as frame protection", async () => {
    app = await alertsApp((a) =>
      a.get("/", (_req, res) => {
        res.set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
        res.send(PAGE);
      }),
    );
    const record = await app.get("/");
    expect(rules(record)).not.toContain("headers.frame-protection-missing");
    expect(rules(record)).not.toContain("headers.csp-missing");
  });
});

describe("cookie alerts", () => {
  it("a session cookie without flags raises error-level alerts for HttpOnly, Secure and SameSite", async () => {
    app = await alertsApp((a) =>
      a.get("/login", (_req, res) => {
        res.setHeader("Set-Cookie", "session=abc123secret");
        res.send("ok");
      }),
    );
    const record = await app.get("/login");
    for (const rule of ["cookies.httponly-missing", "cookies.secure-missing", "cookies.samesite-missing"]) {
      const [alert] = alertsOf(record, rule);
      expect(alert, rule).toBeDefined();
      expect(alert!.severity).toBe("error");
      expect(alert!.evidence).toMatchObject({ header: "set-cookie", cookie: "session", sessionLike: true });
    }
    expect(record.stats["alerts.errors"]).toBeGreaterThanOrEqual(3);
    // The cookie's value never reaches the record through an alert.
    expect(JSON.stringify(record.alerts)).not.toContain("abc123secret");
  });

  it("HttpOnly; Secure; SameSite=Lax raises none", async () => {
    app = await alertsApp((a) =>
      a.get("/login", (_req, res) => {
        res.cookie("session", "abc", { httpOnly: true, secure: true, sameSite: "lax" });
        res.send("ok");
      }),
    );
    const record = await app.get("/login");
    expect(rules(record).filter((r) => r.startsWith("cookies."))).toEqual([]);
  });

  it("a non-session cookie without flags is a warning or a note, not an error", async () => {
    app = await alertsApp((a) =>
      a.get("/", (_req, res) => {
        res.cookie("theme", "dark");
        res.send("ok");
      }),
    );
    const record = await app.get("/");
    const cookieAlerts = record.alerts.filter((a) => a.rule.startsWith("cookies."));
    expect(cookieAlerts.length).toBe(3);
    expect(cookieAlerts.every((a) => a.severity !== "error")).toBe(true);
  });

  it("a cookie being cleared is not judged", async () => {
    app = await alertsApp((a) =>
      a.get("/logout", (_req, res) => {
        res.clearCookie("session");
        res.send("bye");
      }),
    );
    const record = await app.get("/logout");
    expect(rules(record).filter((r) => r.startsWith("cookies."))).toEqual([]);
  });
});

describe("CSRF alert", () => {
  const form = (extra: string) =>
    `<!doctype html><html><body><form method="post" action="/transfer"><input name="amount">${extra}<button>Send</button></form></body></html>`;

  it("a POST form without a token field raises it; the same form with a hidden token does not", async () => {
    app = await alertsApp((a) => {
      a.get("/bare", (_req, res) => res.send(form("")));
      a.get("/token", (_req, res) => res.send(form('<input type="hidden" name="_csrf" value="t0k3n">')));
      a.get("/search", (_req, res) =>
        res.send('<html><body><form action="/s"><input name="q"></form></body></html>'),
      );
    });
    const bare = await app.get("/bare");
    const [alert] = alertsOf(bare, "csrf.form-without-token");
    expect(alert).toBeDefined();
    expect(alert!.evidence).toMatchObject({
      method: "POST",
      action: "/transfer",
      bodyPreviewTruncated: false,
    });
    expect(alert!.docs).toContain("owasp.org");
    expect(rules(await app.get("/token"))).not.toContain("csrf.form-without-token");
    expect(rules(await app.get("/search"))).not.toContain("csrf.form-without-token");
  });

  it("a SameSite=Strict session cookie counts as protection", async () => {
    app = await alertsApp((a) =>
      a.get("/", (_req, res) => {
        res.cookie("sid", "x", { httpOnly: true, secure: true, sameSite: "strict" });
        res.send(form(""));
      }),
    );
    expect(rules(await app.get("/"))).not.toContain("csrf.form-without-token");
  });

  it("says so when the form was cut off by the bounded body preview", async () => {
    app = await alertsApp(
      (a) =>
        a.get("/", (_req, res) =>
          res.send(
            `<html><body><form method="post"><input name="a">${"<p>filler</p>".repeat(200)}</form></body></html>`,
          ),
        ),
      { limits: { bodyPreviewBytes: 512 } },
    );
    const [alert] = alertsOf(await app.get("/"), "csrf.form-without-token");
    expect(alert?.evidence?.bodyPreviewTruncated).toBe(true);
    expect(String(alert?.evidence?.note)).toMatch(/preview is bounded/);
  });
});
