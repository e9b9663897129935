import { describe, expect, it } from "vitest";
import { contextStorage, type RequestContext, UNRECORDED } from "../../src/core/context.js";
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
