import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
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
  /** A command the app runs under (bench/instructions.ts: valgrind and its options). */
  under: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const [name, ...settings] = variant.split("~");
    const own = Object.fromEntries(settings.map((s) => s.split("=", 2) as [string, string]));
    const command = [process.execPath, "--import", "tsx", "bench/app.ts", framework, name!];
    // BENCH_PIN=1 runs the app on CPU 1 (and this process should run on CPU 0: taskset -c 0).
    if (process.env.BENCH_PIN) command.unshift("taskset", "-c", "1");
    command.unshift(...under);
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

export type AppProcesses = Map<string, { child: ChildProcess; port: number }>;

/**
 * One app process per variant, started together. The benchmarks start fresh ones every round: on
 * a shared machine one process can run 30 % slower than its twin for its whole life (where its
 * memory landed, what the JIT decided), so a run that kept one process per variant measured that
 * draw, not the variant.
 */
export async function startApps(
  framework: string,
  variants: string[],
  withPg: boolean,
): Promise<AppProcesses> {
  const started = await Promise.allSettled(variants.map((v) => startAppProcess(framework, v, withPg)));
  const apps: AppProcesses = new Map();
  started.forEach((s, i) => {
    if (s.status === "fulfilled") apps.set(variants[i]!, s.value);
  });
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await stopApps(apps);
    throw failed.reason;
  }
  return apps;
}

/** Stops the app processes and waits until they are gone, so none runs into the next round. */
export async function stopApps(apps: AppProcesses): Promise<void> {
  await Promise.all(
    [...apps.values()].map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill();
        }),
    ),
  );
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

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) of the process's main thread, or of the whole process (Linux). */
export function cpuSeconds(pid: number, mainThreadOnly: boolean): number {
  const path = mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
  const fields = readFileSync(path, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Waits until the app process is idle (under 5 % of a core over 200 ms), at most 5 s: a recording
 * variant goes on writing, pruning and collecting garbage after its load stops, and that work
 * must not land in the next variant's sample.
 */
export async function untilIdle(pid: number): Promise<void> {
  const deadline = performance.now() + 5000;
  let before = cpuSeconds(pid, false);
  while (performance.now() < deadline) {
    await sleep(200);
    const now = cpuSeconds(pid, false);
    if (now - before <= 0.01) return;
    before = now;
  }
}
