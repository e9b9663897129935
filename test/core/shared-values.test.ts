import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type GlassboxRecord, RECORD_SCHEMA } from "../../src/core/record.js";
import { markShared } from "../../src/core/shared.js";
import { SqliteRecords } from "../../src/store/sqlite.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// One object many records share, as the versions panel returns it.
const versions = markShared({ node: process.versions.node, dependencies: { express: { declared: "^5" } } });

function record(id: string): GlassboxRecord {
  return {
    schema: RECORD_SCHEMA,
    id,
    kind: "request",
    service: "test",
    traceId: "a".repeat(32),
    spanId: "b".repeat(16),
    startedAt: Date.now(),
    durationMs: 1,
    stats: {},
    alerts: [],
    timeline: [],
    serverTiming: [],
    panels: { versions: { title: "Versions", data: versions } },
  };
}

describe("shared panel data in SQLite", () => {
  it("is written once, read back whole, and written again after the store is cleared", () => {
    const dir = mkdtempSync(join(tmpdir(), "glassbox-shared-"));
    dirs.push(dir);
    const db = new SqliteRecords(join(dir, "shared.db"));
    db.write([record("one"), record("two")]);
    expect((db.db.prepare("SELECT count(*) AS n FROM shared").get() as { n: number }).n).toBe(1);
    expect(db.get("two")?.panels.versions?.data).toEqual(versions);

    db.clear();
    db.write([record("three")]);
    expect(db.get("three")?.panels.versions?.data).toEqual(versions);
    db.close();
  });
});
