import { describe, expect, it } from "vitest";
import { isReadOnlySql } from "../../src/explain/read-only.js";
import type { SqlSystem } from "../../src/instrument/sql-event.js";

const allowed: Array<[SqlSystem, string]> = [
  ["postgresql", "SELECT * FROM users WHERE id = $1"],
  ["postgresql", "  (SELECT 1) UNION (SELECT 2);"],
  ["postgresql", "WITH t AS (SELECT id FROM users) SELECT * FROM t"],
  ["postgresql", "SELECT 'DELETE FROM users; DROP TABLE x' AS s"],
  ["postgresql", 'SELECT "update", "insert" FROM t'],
  ["postgresql", "SELECT $$ DROP TABLE x $$, $tag$ ; INSERT $tag$"],
  ["postgresql", "SELECT 1 /* DELETE /* nested */ INTO */ -- ; DROP"],
  ["postgresql", "SELECT E'it\\'s ; DELETE' AS s"],
  ["postgresql", "SELECT replace(name, 'a', 'b') FROM users"],
  ["mysql", "SELECT * FROM `order` WHERE note = 'it\\'s; DELETE'"],
  ["mysql", 'SELECT "a;b" # ; DELETE\nFROM dual'],
  ["sqlite", "SELECT [delete] FROM t"],
];

const refused: Array<[SqlSystem, string, RegExp]> = [
  ["postgresql", "INSERT INTO t VALUES (1)", /not a SELECT/],
  ["postgresql", "UPDATE t SET a = 1", /not a SELECT/],
  ["postgresql", "DELETE FROM t", /not a SELECT/],
  ["postgresql", "DROP TABLE t", /not a SELECT/],
  ["postgresql", "CREATE TABLE t (id int)", /not a SELECT/],
  ["postgresql", "TRUNCATE t", /not a SELECT/],
  ["postgresql", "SELECT 1; DELETE FROM t", /more than one statement/],
  ["postgresql", "SELECT 1;;SELECT 2", /more than one statement/],
  ["postgresql", "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", /DELETE/],
  ["postgresql", "WITH u AS (UPDATE t SET a = 1 RETURNING *) SELECT 1", /UPDATE/],
  ["postgresql", "WITH i AS (INSERT INTO t VALUES (1) RETURNING *) SELECT 1", /INSERT/],
  ["postgresql", "SELECT * INTO new_table FROM t", /INTO/],
  ["postgresql", "SELECT * FROM t FOR UPDATE", /UPDATE/],
  ["postgresql", "SELECT * FROM t FOR NO KEY UPDATE", /locks rows/],
  ["postgresql", "SELECT * FROM t FOR SHARE", /locks rows/],
  ["postgresql", "SELECT * FROM t FOR KEY SHARE", /locks rows/],
  ["postgresql", "SELECT pg_terminate_backend(123)", /pg_terminate_backend/],
  ["postgresql", "SELECT pg_advisory_lock(1)", /pg_advisory_lock/],
  ["postgresql", "SELECT set_config('search_path', 'evil', false)", /set_config/],
  ["postgresql", "SELECT lo_import('/etc/passwd')", /lo_import/],
  ["postgresql", "SELECT 'unterminated", /unterminated string/],
  ["postgresql", "SELECT 1 /* open", /unterminated comment/],
  ["postgresql", "SELECT $x$ open", /unterminated \$-quoted/],
  ["postgresql", "EXPLAIN ANALYZE DELETE FROM t", /not a SELECT/],
  ["postgresql", "COPY t TO '/tmp/x'", /not a SELECT/],
  ["postgresql", "VALUES (1)", /not a SELECT/],
  ["postgresql", "", /not a SELECT/],
  ["mysql", "SELECT 1 /*!, (DELETE FROM t) */", /executable comment/],
  ["mysql", "SELECT 1 /*M!100000 , 2 */", /executable comment/],
  ["mysql", "REPLACE INTO t VALUES (1)", /not a SELECT/],
  ["mysql", "SELECT * FROM t LOCK IN SHARE MODE", /LOCK IN SHARE MODE/],
  ["mysql", "SELECT * FROM t INTO OUTFILE '/tmp/x'", /INTO/],
  ["mysql", "SELECT GET_LOCK('x', 10)", /get_lock/],
  ["mysql", "SELECT 'a\\'; DELETE FROM t", /unterminated string/],
  ["sqlite", "PRAGMA writable_schema = 1", /not a SELECT/],
  ["sqlite", "ATTACH DATABASE 'x.db' AS x", /not a SELECT/],
  ["sqlite", "SELECT load_extension('evil')", /load_extension/],
];

describe("isReadOnlySql", () => {
  it.each(allowed)("allows (%s) %s", (system, sql) => {
    expect(isReadOnlySql(sql, system)).toEqual({ ok: true });
  });

  it.each(refused)("refuses (%s) %s", (system, sql, reason) => {
    const verdict = isReadOnlySql(sql, system);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok === false && verdict.reason).toMatch(reason);
  });
});
