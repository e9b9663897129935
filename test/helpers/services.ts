import { Socket } from "node:net";

/** Whether a TCP service answers on 127.0.0.1:port within a short time. */
export function reachable(port: number, host = "127.0.0.1", timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/**
 * For `describe.skipIf(await serviceMissing(...))`: true (and a printed reason) when the service
 * is down. Under CI=true a missing service throws instead: CI must not pass by skipping.
 */
export async function serviceMissing(name: string, port: number): Promise<boolean> {
  if (await reachable(port)) return false;
  const reason = `${name} is not reachable on 127.0.0.1:${port}`;
  if (process.env.CI === "true") throw new Error(`${reason} (CI=true: service-backed tests must run)`);
  console.warn(`skipping ${name} tests: ${reason}`);
  return true;
}
