import { type ChildProcess, spawn } from "node:child_process";
import autocannon from "autocannon";

/**
 * Starts `bench/app.ts <framework> <variant>` in its own process (the environment passes on:
 * BENCH_BUDGET, BENCH_NO_SQL, ...) and resolves with its port once it prints `READY <port>`.
 * A variant may carry environment variables of its own for experiments in one run:
 * `glassbox~BENCH_NO_SQL=1~BENCH_BURST=0`.
 */
export function startAppProcess(
  framework: string,
  variant: string,
  withPg: boolean,
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const [name, ...settings] = variant.split("~");
    const own = Object.fromEntries(settings.map((s) => s.split("=", 2) as [string, string]));
    const command = [process.execPath, "--import", "tsx", "bench/app.ts", framework, name!];
    // BENCH_PIN=1 runs the app on CPU 1 (and this process should run on CPU 0: taskset -c 0).
    if (process.env.BENCH_PIN) command.unshift("taskset", "-c", "1");
    const child = spawn(command[0]!, command.slice(1), {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, NODE_ENV: "development", ...(withPg ? { BENCH_PG: "1" } : {}), ...own },
    });
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on("exit", (code) => reject(new Error(`${framework}/${variant} exited with ${code}`)));
  });
}

const RECORDING = new Set(["glassbox", "everything"]);

/** Whether a variant records (glassbox@0.005 is glassbox with another overhead budget). */
export function records(variant: string): boolean {
  return RECORDING.has(variant.split(/[@~]/)[0]!);
}

/** glassbox's recorded and skipped counters, from its health endpoint. */
export async function recordingCounts(
  port: number,
): Promise<{ recorded: number; skipped: number; spentMs: number }> {
  const res = await fetch(`http://127.0.0.1:${port}/__glassbox/api/health`);
  const { recording } = (await res.json()) as {
    recording: { recorded: number; skipped: number; spentMs: number };
  };
  return recording;
}

/** Sends a fixed number of requests (50 connections) and resolves when they are answered. */
export function loadRequests(port: number, route: string, amount: number): Promise<void> {
  return new Promise((resolve, reject) =>
    autocannon({ url: `http://127.0.0.1:${port}/${route}`, connections: 50, amount }, (error) =>
      error ? reject(error) : resolve(),
    ),
  );
}
