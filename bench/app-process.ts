import { type ChildProcess, spawn } from "node:child_process";

/**
 * Starts `bench/app.ts <framework> <variant>` in its own process (the environment passes on:
 * BENCH_BUDGET, BENCH_NO_SQL, ...) and resolves with its port once it prints `READY <port>`.
 */
export function startAppProcess(
  framework: string,
  variant: string,
  withPg: boolean,
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/app.ts", framework, variant], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, NODE_ENV: "development", ...(withPg ? { BENCH_PG: "1" } : {}) },
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
