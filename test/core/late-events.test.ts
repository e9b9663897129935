import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import type { NextFunction, Request, Response } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getContext, type RequestContext } from "../../src/core/context.js";
import { event } from "../../src/index.js";
import { instrumentBetterSqlite3 } from "../../src/instrument/better-sqlite3.js";
import { eventsOf } from "../events/helpers.js";
import { backgroundRecords } from "../helpers/http.js";
import { at, queriesOf, type SqlApp, site, startApp } from "../sql/support.js";

describe("work that outlives its request", () => {
  let undo: () => void;
  let db: Database.Database;
  let app: SqlApp;
  /** The context of the last /pinned request, kept alive by the test as a socket or timer would. */
  let pinned: RequestContext | undefined;

  beforeAll(async () => {
    undo = instrumentBetterSqlite3(Database);
    db = new Database(":memory:");
    db.exec("CREATE TABLE gb_late_audit (id INTEGER PRIMARY KEY, what TEXT)");
    app = await startApp((a) => {
      a.get("/late", (_req, res) => {
        db.prepare("SELECT count(*) AS n FROM gb_late_audit").get();
        res.json({ ok: true });
        // Not awaited: the response is gone when this runs.
        setTimeout(() => {
          at("late", () => db.prepare("INSERT INTO gb_late_audit (what) VALUES (?)").run("late"));
          event("audit.written", { what: "late" });
        }, 50);
      });
      a.get(
        "/late-next",
        (_req: Request, res: Response, next: NextFunction) => {
          res.json({ ok: true });
          setTimeout(next, 50);
        },
        function afterTheResponse(_req: Request, _res: Response) {
          db.prepare("SELECT 1 AS after_the_response").get();
        },
      );
      a.get("/pinned", (_req, res) => {
        pinned = getContext();
        for (let i = 0; i < 50; i++) db.prepare("SELECT ? AS n").get(i);
        res.json({ ok: true });
      });
    });
  });

  afterAll(async () => {
    await app.close();
    undo();
    db.close();
  });

  it("puts queries and events that come after the response in the background record, linked to the request", async () => {
    const { record } = await app.get("/late");
    expect(queriesOf(record).map((q) => q.sql)).toEqual(["SELECT count(*) AS n FROM gb_late_audit"]);
    await sleep(150);

    const background = (await backgroundRecords(app.mw.glassbox!)).filter((r) =>
      r.links?.some((l) => l.recordId === record.id),
    );
    expect(background).toHaveLength(1);
    const late = background[0]!;
    expect(late.links).toEqual([
      { kind: "follows", recordId: record.id, traceId: record.traceId, spanId: record.spanId },
    ]);
    const [insert] = queriesOf(late);
    expect(insert).toMatchObject({ sql: "INSERT INTO gb_late_audit (what) VALUES (?)", params: ["late"] });
    // The call site is the app's line, as for a query inside a request.
    expect(insert!.callSite?.frame).toMatchObject(site("late"));
    expect(insert!.at).toBeGreaterThanOrEqual(0);
    expect(insert!.at).toBeLessThanOrEqual(late.durationMs);
    const audit = eventsOf(late).nodes.find((n) => n.name === "audit.written");
    expect(audit).toMatchObject({ kind: "user", data: { what: "late" } });
    // Its parent step was the request's, which this record does not have.
    expect(audit!.parentId).toBeUndefined();
    // The table holds the row: moving the event changed nothing for the app.
    expect(db.prepare("SELECT what FROM gb_late_audit").all()).toEqual([{ what: "late" }]);
  });

  it("does not carry the ended request's framework steps over, only the work they do", async () => {
    const { record } = await app.get("/late-next");
    await sleep(150);
    const late = (await backgroundRecords(app.mw.glassbox!)).find((r) =>
      r.links?.some((l) => l.recordId === record.id),
    );
    expect(queriesOf(late!).map((q) => q.sql)).toContain("SELECT 1 AS after_the_response");
    // afterTheResponse ran as Express middleware of the ended request: no step of its own here.
    const nodes = late!.panels.events?.data ? eventsOf(late!).nodes : [];
    expect(nodes.filter((n) => n.kind !== "user" && n.kind !== "emitter" && n.kind !== "lifecycle")).toEqual(
      [],
    );
  });

  it("a context kept alive after its record is built holds none of its events", async () => {
    const { record } = await app.get("/pinned");
    expect(queriesOf(record)).toHaveLength(50);
    expect(pinned!.isSealed).toBe(true);
    expect(pinned!.events("sql")).toEqual([]);
    expect(pinned!.panelState).toEqual([]);
  });
});
