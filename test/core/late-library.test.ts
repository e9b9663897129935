import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { serviceMissing } from "../helpers/services.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = fileURLToPath(new URL("./fixtures/late-library.mjs", import.meta.url));

interface Outcome {
  loadedAtStart: string[];
  commands: string[];
  renders: string[];
  logs: string[];
}

/** Runs the fixture app in its own process (a fresh module cache), loading a library as `how` says. */
async function lateLibrary(how: string): Promise<Outcome> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", fixture, how], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: "" },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Outcome;
}

const redisMissing = await serviceMissing("Redis", 6379);

describe("panels and the libraries they instrument", () => {
  /** What the second request's record holds: nothing but what `seen` adds. */
  const only = (seen: Partial<Outcome>): Outcome => ({
    loadedAtStart: [],
    commands: [],
    renders: [],
    logs: [],
    ...seen,
  });

  it("loads none of them into an app that does not (Express, EJS, Handlebars, winston, Redis clients, Ajv, yaml)", async () => {
    expect(await lateLibrary("none")).toEqual(only({}));
  });

  it.each<[string, string, Partial<Outcome>]>([
    ["the renders of an EJS", "ejs", { renders: ["ejs template"] }],
    [
      "the partials of the Handlebars an express-handlebars",
      "express-handlebars",
      { renders: ["handlebars partial"] },
    ],
    ["the logs of a winston", "winston", { logs: ["info late winston"] }],
  ])("records %s the app requires after glassbox started", async (_what, how, seen) => {
    expect(await lateLibrary(how)).toEqual(only(seen));
  });

  describe.skipIf(redisMissing)("a Redis client loaded after glassbox started", () => {
    const get = only({ commands: ["GET gb-late-library"] });

    it("records the commands of an ioredis the app requires later", async () => {
      expect(await lateLibrary("require")).toEqual(get);
    });

    it("records the commands of an ioredis the app imports later", async () => {
      expect(await lateLibrary("import")).toEqual(get);
    });

    it("records the commands of a node-redis the app imports later", async () => {
      expect(await lateLibrary("redis")).toEqual(get);
    });
  });
});
