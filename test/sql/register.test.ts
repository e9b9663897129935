import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { reachable } from "../helpers/services.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** The line of auto-run.mjs that runs `marker`, where the recorded call site must point. */
function lineOf(marker: string): number {
  const lines = readFileSync(fixture("auto-run.mjs"), "utf8").split("\n");
  return lines.findIndex((l) => l.includes(marker)) + 1;
}

// Servers that are up take part; SQLite always does. (Each server's own suite reports when it is down.)
const servers = [(await reachable(5432)) && "pg", (await reachable(3306)) && "mysql"].filter(Boolean);

async function autoApp(nodeArgs: string[], app: string) {
  const { stdout } = await run(process.execPath, [...nodeArgs, fixture(app)], {
    cwd: root,
    env: { ...process.env, GB_SQL_SERVERS: servers.join(","), NODE_OPTIONS: "" },
    timeout: 60_000,
  });
  const last = stdout.trim().split("\n").at(-1) ?? "[]";
  return JSON.parse(last) as Array<{ sql: string; driver: string; line?: number }>;
}

function expected() {
  const out = [{ sql: "SELECT 1 AS lite", driver: "better-sqlite3", line: lineOf("SELECT 1 AS lite") }];
  if (servers.includes("pg"))
    out.push({ sql: "SELECT 2 AS pg", driver: "pg", line: lineOf("SELECT 2 AS pg") });
  if (servers.includes("mysql"))
    out.push({ sql: "SELECT 3 AS mysql", driver: "mysql2", line: lineOf("SELECT 3 AS mysql") });
  return out;
}

describe("automatic mode (glassbox/register)", () => {
  it("instruments drivers an ES module app imports (node --import glassbox/register)", async () => {
    const queries = await autoApp(["--import", "tsx", "--import", "./src/register.ts"], "auto-app.mjs");
    expect(queries).toEqual(expected());
  });

  it("instruments drivers a CommonJS app requires (node -r glassbox/register)", async () => {
    const queries = await autoApp(["-r", "tsx/cjs", "-r", "./src/register.ts"], "auto-app.cjs");
    expect(queries).toEqual(expected());
  });

  it('instruments drivers when `import "glassbox/register"` is the app\'s first import', async () => {
    const queries = await autoApp(["--import", "tsx"], "auto-first-import.mjs");
    expect(queries).toEqual(expected());
  });

  it("records nothing without it: the drivers are untouched", async () => {
    const queries = await autoApp(["--import", "tsx"], "auto-app.mjs");
    expect(queries).toEqual([]);
  });
});
