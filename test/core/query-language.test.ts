import { describe, expect, it } from "vitest";
import { summarize } from "../../src/core/record.js";
import { globToRegExp, matches } from "../../src/store/conditions.js";
import { parseQueryLanguage, QueryLanguageError } from "../../src/store/query-language.js";
import { fakeRecord } from "./support.js";

describe("query language", () => {
  it("compiles fields, operators and units to conditions", () => {
    expect(parseQueryLanguage("status:>=500 route:/api/* duration:>200ms sql.queries:>10")).toEqual([
      { field: "status", op: ">=", value: 500 },
      { field: "route", op: "glob", value: "/api/*" },
      { field: "durationMs", op: ">", value: 200 },
      { field: "stats.sql.queries", op: ">", value: 10 },
    ]);
    expect(parseQueryLanguage("duration:<1.5s")).toEqual([{ field: "durationMs", op: "<", value: 1500 }]);
    expect(parseQueryLanguage("method:POST service:orders")).toEqual([
      { field: "method", op: "=", value: "POST" },
      { field: "service", op: "=", value: "orders" },
    ]);
    expect(parseQueryLanguage("alerts:>0 log.errors:!=0")).toEqual([
      { field: "alerts", op: ">", value: 0 },
      { field: "stats.log.errors", op: "!=", value: 0 },
    ]);
  });

  it("expands status classes and treats bare words and path: as substring matches", () => {
    expect(parseQueryLanguage("status:5xx")).toEqual([
      { field: "status", op: ">=", value: 500 },
      { field: "status", op: "<", value: 600 },
    ]);
    expect(parseQueryLanguage('checkout "two words"')).toEqual([
      { field: "path", op: "contains", value: "checkout" },
      { field: "path", op: "contains", value: "two words" },
    ]);
    expect(parseQueryLanguage("path:/api")).toEqual([{ field: "path", op: "contains", value: "/api" }]);
    expect(parseQueryLanguage("   ")).toEqual([]);
  });

  it.each([
    ["colour:red", /unknown field "colour"/],
    ["status:abc", /expected a number/],
    ["duration:>fast", /expected a number \(like 200ms or 1\.5s\)/],
    ["sql.queries:", /missing a value/],
    ["status:>", /missing a value/],
  ])("rejects %s with a message that names the term", (q, message) => {
    expect(() => parseQueryLanguage(q)).toThrow(QueryLanguageError);
    expect(() => parseQueryLanguage(q)).toThrow(message);
    expect(() => parseQueryLanguage(q)).toThrow(`"${q}"`);
  });

  it("evaluates conditions on a record summary the way the SQLite store does", () => {
    const s = summarize(
      fakeRecord({
        id: "a",
        path: "/API/Orders",
        route: "/api/orders/:id",
        status: 503,
        stats: { "sql.queries": 3 },
      }),
    );
    expect(matches(s, { field: "path", op: "contains", value: "api/orders" })).toBe(true);
    expect(matches(s, { field: "route", op: "glob", value: "/API/*" })).toBe(true);
    expect(matches(s, { field: "route", op: "=", value: "/api/orders/:ID" })).toBe(true);
    expect(matches(s, { field: "stats.sql.queries", op: ">=", value: 3 })).toBe(true);
    expect(matches(s, { field: "stats.cache.hits", op: "=", value: 0 })).toBe(true);
    const noRoute = summarize(fakeRecord({ id: "b" }));
    expect(matches(noRoute, { field: "route", op: "=", value: "/x" })).toBe(false);
    expect(matches(noRoute, { field: "route", op: "!=", value: "/x" })).toBe(true);
  });

  it("escapes everything in a glob but the star", () => {
    expect(globToRegExp("/a.b/(x)/*").test("/a.b/(x)/anything")).toBe(true);
    expect(globToRegExp("/a.b/*").test("/aXb/y")).toBe(false);
  });
});
