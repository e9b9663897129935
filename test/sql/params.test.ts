import { describe, expect, it } from "vitest";
import { makeRedactRules } from "../../src/core/redact.js";
import { redactSqlParams } from "../../src/instrument/sql-params.js";
import { normalizeSql } from "../../src/panels/sql/normalize.js";

const rules = makeRedactRules({ headers: [], keys: /password|secret|token/i, replacement: "[redacted]" });
const redact = (sql: string, params: unknown) => redactSqlParams(sql, params, rules)?.params;

describe("SQL parameters as stored", () => {
  it("masks positional values compared with or assigned to secret-named columns", () => {
    expect(redact("SELECT * FROM u WHERE email = $1 AND u.password = $2", ["a", "p"])).toEqual([
      "a",
      "[redacted]",
    ]);
    expect(redact("UPDATE u SET api_token = ?, name = ? WHERE id = ?", ["t", "n", 1])).toEqual([
      "[redacted]",
      "n",
      1,
    ]);
    expect(redact('SELECT 1 FROM u WHERE "password" IN ($2, $1)', ["x", "y"])).toEqual([
      "[redacted]",
      "[redacted]",
    ]);
    expect(redact("INSERT INTO u (email, password) VALUES (?, ?), (?, ?)", ["a", "p", "b", "q"])).toEqual([
      "a",
      "[redacted]",
      "b",
      "[redacted]",
    ]);
  });

  it("leaves values alone when the secret word is only in a string literal or comment", () => {
    expect(redact("SELECT 'password' AS label, id FROM u WHERE id = $1 -- password", [7])).toEqual([7]);
  });

  it("masks secret-named keys of named parameters and inside JSON values", () => {
    expect(redact("SELECT * FROM u WHERE email = @email", { email: "a", secret: "s" })).toEqual({
      email: "a",
      secret: "[redacted]",
    });
    expect(redact("INSERT INTO logs (data) VALUES ($1)", [{ user: "a", token: "t" }])).toEqual([
      { user: "a", token: "[redacted]" },
    ]);
  });

  it("shortens long strings and buffers and says so", () => {
    const result = redactSqlParams("SELECT $1, $2", ["x".repeat(5000), Buffer.alloc(64)], rules);
    const params = (result?.params ?? []) as unknown[];
    expect(result?.truncated).toBe(true);
    expect(String(params[0])).toMatch(/…\[truncated 4000 chars\]$/);
    expect(params[1]).toBe("[64 bytes]");
  });
});

describe("normalized SQL", () => {
  it("makes queries that differ only in values look the same", () => {
    expect(normalizeSql("SELECT * FROM books WHERE author_id = $1")).toBe(
      normalizeSql("SELECT * FROM books WHERE author_id = 42"),
    );
    expect(normalizeSql("select * from t where id in (1, 2, 3) and name = 'o''neil'")).toBe(
      "select * from t where id in (?) and name = ?",
    );
    expect(normalizeSql("SELECT t1.col_2 FROM t1 WHERE x = ?")).toBe("SELECT t1.col_2 FROM t1 WHERE x = ?");
  });
});
