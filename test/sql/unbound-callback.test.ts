import { describe, expect, it } from "vitest";
import {
  contextStorage,
  type RequestContext,
  recordingState,
  runInContext,
  switchStorageOff,
  UNRECORDED,
} from "../../src/core/context.js";
import { bindCallback } from "../../src/instrument/sql-common.js";

// No glassbox runs in this file, so there is no background bucket: a callback asked for here is
// like one of a request glassbox skipped while its context storage was off.
describe("pool callbacks asked for where nothing records", () => {
  it("run as unrecorded when a pool hands them over inside a recorded request", () => {
    const bound = bindCallback(() => contextStorage.getStore());
    const recorded = { id: "recorded" } as unknown as RequestContext;
    // A recorded request releases a connection and the pool calls the waiting callback there:
    // its queries must not land in that request's record.
    expect(contextStorage.run(recorded, () => bound())).toBe(UNRECORDED);
  });

  it("run as they are when no context is active", () => {
    const bound = bindCallback(() => contextStorage.getStore());
    expect(bound()).toBeUndefined();
  });
});

describe("pool callbacks of skipped requests", () => {
  it("keep the context storage off when they run after glassbox switched it off", () => {
    // Asked for in a request skipped while a recorded one ran (the storage was on then)...
    const bound = runInContext(UNRECORDED, () => bindCallback(() => contextStorage.getStore()));
    // ...and called by the pool once glassbox samples with nothing recorded running.
    switchStorageOff();
    expect(bound()).toBeUndefined();
    // Switching it back on here would leave every later request paying for async context
    // tracking while glassbox believes it off (Node 20 and 22 expose this as `enabled`).
    expect((contextStorage as unknown as { enabled?: boolean }).enabled).not.toBe(true);
    expect(recordingState.storageOff).toBe(true);
  });

  it("of recorded requests switch it back on", () => {
    switchStorageOff();
    const recorded = { id: "recorded" } as unknown as RequestContext;
    const bound = runInContext(recorded, () => bindCallback(() => contextStorage.getStore()));
    switchStorageOff();
    expect(bound()).toBe(recorded);
    expect(recordingState.storageOff).toBe(false);
  });
});
