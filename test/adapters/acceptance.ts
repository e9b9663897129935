import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Glassbox } from "../../src/core/glassbox.js";
import type { GlassboxRecord } from "../../src/core/record.js";
import { recordFor, waitForRecords } from "../helpers/http.js";

/**
 * The acceptance every adapter must pass, run against a real app on a real socket. Each
 * framework's test builds an app that serves these routes in its own idiom:
 *
 * - GET /users/:id    waits 15 ms, logs `loading user <id>`, answers JSON `{ id }`
 * - GET /sync-error   throws `new Error("sync boom")` synchronously
 * - GET /async-error  rejects with `new Error("async boom")` after an await
 * - GET /token/:token waits 0-20 ms, logs `token <token>`, waits 0-20 ms, answers JSON `{ token }`
 * - GET /page         answers PAGE as text/html, with a Content-Length
 * - GET /json         answers JSON `{ ok: true }`
 * - GET /not-modified answers 304 with Content-Type text/html and no body
 * - GET /stream       writes STREAM_CHUNKS as text/html, 20 ms apart, with no Content-Length
 *
 * Errors must reach the framework's own error handling, which answers 500 with the body
 * `handled: <message>` and pushes the error to `frameworkErrors`.
 */
export const PAGE = "<!doctype html><html><head><title>page</title></head><body><h1>page</h1></body></html>";
export const STREAM_CHUNKS = ["<!doctype html><html><body>", "<p>one</p>", "<p>two</p>", "</body></html>"];

export interface StartedApp {
  url: string;
  glassbox: Glassbox;
  /** Errors the framework's error handling received (error middleware, app.onError, ...). */
  frameworkErrors: unknown[];
  close(): Promise<void>;
}

export interface AcceptanceTarget {
  /** Starts the app with glassbox installed (test options: in-memory store). */
  start(): Promise<StartedApp>;
  /** Route patterns as the framework reports them; undefined where it has none (node:http). */
  patterns?: { user: string; syncError: string; asyncError: string };
}

/** Waits a random 0-20 ms: lets concurrent requests interleave. */
export const randomDelay = () => new Promise((r) => setTimeout(r, Math.floor(Math.random() * 21)));
export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes STREAM_CHUNKS one by one with a pause, as a streaming page does. */
export async function writeStream(write: (chunk: string) => unknown): Promise<void> {
  for (const chunk of STREAM_CHUNKS) {
    write(chunk);
    await delay(20);
  }
}

const TOOLBAR = `<script src="/__glassbox/toolbar.js"`;

/** The log lines a record holds, in order. */
export function logMessages(record: GlassboxRecord): string[] {
  const data = record.panels.logging?.data as { records: { message: string }[] } | undefined;
  return (data?.records ?? []).map((r) => r.message);
}

/** A body sent a little after the headers, so the app reads it from a later socket event. */
export function lateBody(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async start(controller) {
      await delay(1 + Math.random() * 10);
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
}

/**
 * Sends 500 concurrent `POST /work/<i>` with a late JSON body `{ token }` and checks every
 * record holds exactly the app's two log lines for its own token: `<first> <token>`, then
 * `handler <token>`. The app answers 200 from route `/work/:n`.
 */
export async function expectLatePostsIsolated(url: string, gb: Glassbox, first: string): Promise<void> {
  const tokens = Array.from({ length: 500 }, (_, i) => `tok-${i}-${Math.random().toString(36).slice(2)}`);
  const responses = await Promise.all(
    tokens.map((token, i) =>
      fetch(`${url}/work/${i}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: lateBody(JSON.stringify({ token })),
        duplex: "half",
      } as RequestInit),
    ),
  );
  await waitForRecords(gb, 500);
  for (const [i, res] of responses.entries()) {
    expect(res.status).toBe(200);
    const record = await recordFor(gb, res);
    expect(record.route).toBe("/work/:n");
    expect(logMessages(record)).toEqual([`${first} ${tokens[i]}`, `handler ${tokens[i]}`]);
  }
}

/** Registers the shared acceptance tests for one adapter. */
export function describeAcceptance(name: string, target: AcceptanceTarget): void {
  describe(`${name} acceptance`, () => {
    let app: StartedApp | undefined;
    const start = async () => {
      app = await target.start();
      return app;
    };
    afterEach(async () => {
      await app?.close();
      await app?.glassbox.close();
      app = undefined;
    });

    it("records method, route pattern, status and duration", async () => {
      const { url, glassbox } = await start();
      const res = await fetch(`${url}/users/42?tab=posts`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ id: "42" });
      const record = await recordFor(glassbox, res);
      expect(record.method).toBe("GET");
      expect(record.path).toBe("/users/42");
      expect(record.url).toBe("/users/42?tab=posts");
      expect(record.route).toBe(target.patterns?.user);
      expect(record.status).toBe(200);
      expect(record.durationMs).toBeGreaterThanOrEqual(14);
      expect(record.error).toBeUndefined();
      expect(logMessages(record)).toContain("loading user 42");
    });

    for (const [path, message] of [
      ["/sync-error", "sync boom"],
      ["/async-error", "async boom"],
    ] as const) {
      it(`records a ${message === "sync boom" ? "thrown" : "rejected"} handler error and still hands it to the framework`, async () => {
        const { url, glassbox, frameworkErrors } = await start();
        const res = await fetch(`${url}${path}`);
        expect(res.status).toBe(500);
        expect(await res.text()).toBe(`handled: ${message}`);
        expect(frameworkErrors.map((e) => (e as Error).message)).toEqual([message]);
        const record = await recordFor(glassbox, res);
        expect(record.status).toBe(500);
        expect(record.error?.message).toBe(message);
        expect(record.error?.name).toBe("Error");
        expect(record.error?.stack).toContain(message);
        const pattern = path === "/sync-error" ? target.patterns?.syncError : target.patterns?.asyncError;
        expect(record.route).toBe(pattern);
      });
    }

    describe("isolation", () => {
      // The tokens go through console.log as in an app; the terminal is spared 500 lines.
      beforeEach(() => {
        vi.spyOn(console, "log").mockImplementation(() => undefined);
      });
      afterEach(() => {
        vi.restoreAllMocks();
      });

      it("keeps each of 500 concurrent requests' logs in its own record", async () => {
        const { url, glassbox } = await start();
        const tokens = Array.from(
          { length: 500 },
          (_, i) => `t${i}-${Math.random().toString(36).slice(2, 8)}`,
        );
        const responses = await Promise.all(tokens.map((t) => fetch(`${url}/token/${t}`)));
        const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ token: string }>));
        expect(bodies.map((b) => b.token)).toEqual(tokens);
        const ids = new Set<string>();
        for (const [i, res] of responses.entries()) {
          const record = await recordFor(glassbox, res);
          ids.add(record.id);
          expect(record.path).toBe(`/token/${tokens[i]}`);
          expect(logMessages(record)).toEqual([`token ${tokens[i]}`]);
        }
        expect(ids.size).toBe(500);
      });
    });

    describe("toolbar injection", () => {
      it("injects the toolbar before </body> with a correct Content-Length", async () => {
        const { url, glassbox } = await start();
        const res = await fetch(`${url}/page`);
        const body = await res.text();
        expect(res.headers.get("content-type")).toMatch(/^text\/html/);
        expect(body).toContain(TOOLBAR);
        expect(body.indexOf(TOOLBAR)).toBeLessThan(body.indexOf("</body>"));
        expect(body.replace(/<script src="\/__glassbox[^>]*><\/script>/, "")).toBe(PAGE);
        expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(body));
        const record = await recordFor(glassbox, res);
        expect(record.panels.response?.data).toMatchObject({ injection: "injected" });
      });

      it("leaves JSON alone", async () => {
        const { url } = await start();
        const res = await fetch(`${url}/json`);
        expect(res.headers.get("x-glassbox-id")).toBeTruthy();
        const body = await res.text();
        expect(JSON.parse(body)).toEqual({ ok: true });
        expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(body));
      });

      it("leaves HEAD alone: no body and the page's own length", async () => {
        const { url, glassbox } = await start();
        const res = await fetch(`${url}/page`, { method: "HEAD" });
        expect(res.status).toBe(200);
        expect(await res.text()).toBe("");
        const length = res.headers.get("content-length");
        if (length !== null) expect(Number(length)).toBe(Buffer.byteLength(PAGE));
        const record = await recordFor(glassbox, res);
        expect(record.method).toBe("HEAD");
        expect((record.panels.response?.data as { injection?: string } | undefined)?.injection).not.toBe(
          "injected",
        );
      });

      it("leaves a 304 alone", async () => {
        const { url, glassbox } = await start();
        const res = await fetch(`${url}/not-modified`);
        expect(res.status).toBe(304);
        expect(await res.text()).toBe("");
        const record = await recordFor(glassbox, res);
        expect(record.status).toBe(304);
        expect(record.panels.response?.data).not.toMatchObject({ injection: "injected" });
      });

      it("leaves a streamed page untouched", async () => {
        const { url, glassbox } = await start();
        const res = await fetch(`${url}/stream`);
        expect(res.headers.get("content-type")).toMatch(/^text\/html/);
        expect(await res.text()).toBe(STREAM_CHUNKS.join(""));
        const record = await recordFor(glassbox, res);
        expect(record.panels.response?.data).not.toMatchObject({ injection: "injected" });
      });
    });
  });
}
