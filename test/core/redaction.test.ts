import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { glassbox } from "../../src/adapters/express.js";
import type { GlassboxRecord } from "../../src/core/record.js";
import { listen, type Running } from "../helpers/http.js";
import { secret, tempDir } from "./support.js";

let running: Running | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await running?.close();
  running = undefined;
  for (const c of cleanups.splice(0)) c();
});

/** Every byte glassbox persisted: the database file and its write-ahead log. */
function storedBytes(dbPath: string): string {
  let all = "";
  for (const file of [dbPath, `${dbPath}-wal`]) if (existsSync(file)) all += readFileSync(file, "latin1");
  return all;
}

describe("redaction", () => {
  it("keeps secrets from headers, cookies, query, JSON and form bodies out of the SQLite file and the API", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const dbPath = join(dir, "glassbox.db");
    const s = {
      bearer: secret("bearer"),
      cookie: secret("cookie"),
      apiKeyHeader: secret("apikeyheader"),
      apiKeyQuery: secret("apikeyquery"),
      tokenQuery: secret("tokenquery"),
      jsonPassword: secret("jsonpassword"),
      nestedSecret: secret("nestedsecret"),
      formPassword: secret("formpassword"),
      setCookie: secret("setcookie"),
    };
    const mw = glassbox({ store: { path: dbPath }, logger: { warn: () => {} } });
    const gb = mw.glassbox!;
    const app = express();
    app.use(mw);
    app.use(express.json());
    app.use(express.urlencoded({ extended: false }));
    app.get("/profile", (_req, res) => {
      res.cookie("session_id", s.setCookie, { httpOnly: true });
      res.type("html").send("<html><body>profile</body></html>");
    });
    app.post("/login", (req, res) => res.json({ ok: true, user: (req.body as { user: string }).user }));
    app.post("/form", (_req, res) => res.send("saved"));
    running = await listen(createServer(app));

    const responses: Response[] = [];
    responses.push(
      await fetch(`${running.url}/profile?api_key=${s.apiKeyQuery}&token=${s.tokenQuery}&page=2`, {
        headers: {
          authorization: `Bearer ${s.bearer}`,
          cookie: `sid=${s.cookie}; theme=dark`,
          "x-api-key": s.apiKeyHeader,
        },
      }),
    );
    responses.push(
      await fetch(`${running.url}/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          user: "bob",
          password: s.jsonPassword,
          nested: { client_secret: s.nestedSecret },
        }),
      }),
    );
    responses.push(
      await fetch(`${running.url}/form`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `name=bob&password=${s.formPassword}`,
      }),
    );
    for (const r of responses) {
      expect(r.ok).toBe(true);
      await r.arrayBuffer();
    }
    // The response really carried the secret cookie: glassbox must not have changed the app's output.
    expect(responses[0]!.headers.get("set-cookie")).toContain(s.setCookie);
    await gb.store.flush();

    const api = `${running.url}/__glassbox/api`;
    const list = (await (await fetch(`${api}/requests`)).json()) as {
      requests: GlassboxRecord[];
      total: number;
    };
    expect(list.total).toBe(3);
    const served = [JSON.stringify(list), await (await fetch(`${api}/health`)).text()];
    for (const r of list.requests) served.push(await (await fetch(`${api}/requests/${r.id}`)).text());

    // What is kept is still useful: names stay, values are masked.
    const profile = JSON.parse(served[2 + list.requests.findIndex((r) => r.path === "/profile")]!);
    expect(profile.url).toBe("/profile?api_key=[redacted]&token=[redacted]&page=2");
    expect(profile.panels.headers.data.request.cookie).toBe("sid=[redacted]; theme=[redacted]");
    expect(String(profile.panels.headers.data.response["set-cookie"])).toMatch(
      /^session_id=\[redacted\]; Path=\/; HttpOnly$/,
    );
    const login = JSON.parse(served[2 + list.requests.findIndex((r) => r.path === "/login")]!);
    expect(JSON.parse(login.panels.request.data.body.text)).toEqual({
      user: "bob",
      password: "[redacted]",
      nested: { client_secret: "[redacted]" },
    });

    const persisted = storedBytes(dbPath);
    expect(persisted.length).toBeGreaterThan(0);
    expect(persisted).toContain("/profile");
    for (const [name, value] of Object.entries(s)) {
      for (const text of served) expect(text, `${name} served by the API`).not.toContain(value);
      expect(persisted, `${name} in the SQLite file`).not.toContain(value);
    }

    await gb.close();
    // After the WAL is checkpointed into the main file on close, still nothing.
    const afterClose = storedBytes(dbPath);
    for (const [name, value] of Object.entries(s))
      expect(afterClose, `${name} in the SQLite file after close`).not.toContain(value);
  });

  it("masks secrets in bodies no parser accepts: truncated JSON, multipart, encoded key names", async () => {
    const s = {
      truncatedJson: secret("truncjson"),
      multipart: secret("multipart"),
      encodedKey: secret("encodedkey"),
      proxyAuth: secret("proxyauth"),
    };
    const mw = glassbox({ store: { path: false } });
    const app = express();
    app.use(mw);
    app.post("/upload", (req, res) => {
      req.resume();
      req.on("end", () => res.send("ok"));
    });
    running = await listen(createServer(app));
    const bigJson = `{"password": "${s.truncatedJson}", "filler": "${"x".repeat(40_000)}"}`;
    const boundary = "----glassboxtest";
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="user"\r\n\r\nbob\r\n--${boundary}\r\nContent-Disposition: form-data; name="password"\r\n\r\n${s.multipart}\r\n--${boundary}--\r\n`;
    const bodies: [string, string][] = [
      ["application/json", bigJson],
      [`multipart/form-data; boundary=${boundary}`, multipart],
      ["application/x-www-form-urlencoded", `api%5Fkey=${s.encodedKey}&x=1`],
    ];
    const ids: string[] = [];
    for (const [type, body] of bodies) {
      const res = await fetch(`${running.url}/upload`, {
        method: "POST",
        headers: { "content-type": type, "proxy-authorization": `Basic ${s.proxyAuth}` },
        body,
      });
      await res.arrayBuffer();
      ids.push(res.headers.get("x-glassbox-id")!);
    }
    const records = await Promise.all(ids.map((id) => mw.glassbox!.store.get(id)));
    const first = records[0]!.panels.request!.data as { body: { truncated: boolean; text: string } };
    expect(first.body.truncated).toBe(true);
    expect(first.body.text).toContain('"password": "[redacted]"');
    const text = JSON.stringify(records);
    for (const [name, value] of Object.entries(s)) expect(text, name).not.toContain(value);
    await mw.glassbox!.close();
  });

  it("masks configured header names and keys", async () => {
    const mySecret = secret("custom");
    const other = secret("other");
    const mw = glassbox({
      store: { path: false },
      redact: { headers: ["X-Tenant-Signature"], keys: /^pin$/i, replacement: "***" },
    });
    const app = express();
    app.use(mw);
    app.get("/", (_req, res) => res.json({ ok: true }));
    running = await listen(createServer(app));
    const res = await fetch(`${running.url}/?pin=${other}`, { headers: { "x-tenant-signature": mySecret } });
    await res.arrayBuffer();
    const record = await mw.glassbox!.store.get(res.headers.get("x-glassbox-id")!);
    const text = JSON.stringify(record);
    expect(text).not.toContain(mySecret);
    expect(text).not.toContain(other);
    expect(record?.url).toBe("/?pin=***");
    await mw.glassbox!.close();
  });
});
