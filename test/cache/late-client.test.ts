import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { serviceMissing } from "../helpers/services.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = fileURLToPath(new URL("./fixtures/late-client.mjs", import.meta.url));

async function lateClient(how: string): Promise<{ loadedAtStart: boolean; commands: string[] }> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", fixture, how], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: "" },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
}

const redisMissing = await serviceMissing("Redis", 6379);

describe("the cache panel and the app's own Redis client", () => {
  it("does not load a Redis client the app never loads", async () => {
    expect(await lateClient("none")).toEqual({ loadedAtStart: false, commands: [] });
  });

  describe.skipIf(redisMissing)("with a client loaded after glassbox started", () => {
    it("records the commands of an ioredis the app requires later", async () => {
      expect(await lateClient("require")).toEqual({ loadedAtStart: false, commands: ["GET gb-late-client"] });
    });

    it("records the commands of an ioredis the app imports later", async () => {
      expect(await lateClient("import")).toEqual({ loadedAtStart: false, commands: ["GET gb-late-client"] });
    });

    it("records the commands of a node-redis the app imports later", async () => {
      expect(await lateClient("redis")).toEqual({ loadedAtStart: false, commands: ["GET gb-late-client"] });
    });
  });
});
