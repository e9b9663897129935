import type { SqlSystem } from "../instrument/sql-event.js";

/**
 * The first of two locks on EXPLAIN: a lexical check that a recorded statement only reads.
 * The second is the database itself (a READ ONLY transaction, always rolled back), so this
 * check errs on the side of refusing: a false refusal costs a plan, a false pass costs nothing
 * more than the database refusing the write.
 */

export type ReadOnlyVerdict = { ok: true } | { ok: false; reason: string };

/** Words that change data or schema, or take locks, wherever they appear outside strings. */
const WRITE_WORDS = new Set([
  "insert",
  "update",
  "delete",
  "merge",
  "upsert",
  "create",
  "drop",
  "alter",
  "truncate",
  "grant",
  "revoke",
  "copy",
  "into",
  "vacuum",
  "reindex",
  "pragma",
  "attach",
  "detach",
  "handler",
]);

/**
 * Functions whose effect a rolled-back READ ONLY transaction does not undo (signals, locks held
 * by the session, files, other servers). EXPLAIN ANALYZE would run them.
 */
const SIDE_EFFECT_FUNCTIONS = new Set([
  "pg_terminate_backend",
  "pg_cancel_backend",
  "pg_reload_conf",
  "pg_rotate_logfile",
  "pg_switch_wal",
  "pg_promote",
  "pg_notify",
  "pg_file_write",
  "set_config",
  "get_lock",
  "release_lock",
  "release_all_locks",
  "load_extension",
]);
const SIDE_EFFECT_PREFIX = /^(pg_advisory|pg_try_advisory|lo_|dblink)/;

/**
 * Whether a recorded statement is a single read-only query: SELECT or WITH … SELECT, with no
 * data-modifying CTE, no SELECT … INTO, no FOR UPDATE/SHARE, no second statement. Comments,
 * string literals and quoted identifiers are removed before looking, so a keyword inside a
 * string neither passes nor fails a query.
 *
 * @example
 * isReadOnlySql("WITH t AS (SELECT 1) SELECT * FROM t", "postgresql"); // { ok: true }
 * isReadOnlySql("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "postgresql").ok; // false
 */
export function isReadOnlySql(sql: string, system: SqlSystem): ReadOnlyVerdict {
  const stripped = stripLiterals(sql, system);
  if (typeof stripped !== "string") return { ok: false, reason: stripped.error };
  const body = stripped.replace(/[\s;]+$/, "");
  if (body.includes(";")) return { ok: false, reason: "it holds more than one statement" };
  const words = body.toLowerCase().match(/[a-z_][a-z0-9_$]*/g) ?? [];
  const first = words[0];
  if (first !== "select" && first !== "with")
    return {
      ok: false,
      reason: `it is not a SELECT (it starts with ${first ? first.toUpperCase() : "nothing"})`,
    };
  if (!/^[\s(]*(select|with)\b/i.test(body))
    return { ok: false, reason: "it does not start with SELECT or WITH" };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (WRITE_WORDS.has(word))
      return { ok: false, reason: `it contains ${word.toUpperCase()}, which writes or changes the schema` };
    // FOR UPDATE / FOR SHARE / FOR NO KEY UPDATE / FOR KEY SHARE, and MySQL's LOCK IN SHARE MODE.
    if (word === "for" && (words[i + 1] === "share" || words[i + 1] === "key" || words[i + 1] === "no"))
      return { ok: false, reason: "it locks rows (FOR SHARE / FOR UPDATE)" };
    if (word === "lock" && words[i + 1] === "in")
      return { ok: false, reason: "it locks rows (LOCK IN SHARE MODE)" };
  }
  // REPLACE INTO writes; replace(a, b, c) is a string function.
  if (/\breplace\b(?!\s*\()/i.test(body)) return { ok: false, reason: "it contains REPLACE, which writes" };
  const call = /\b([a-z_][a-z0-9_]*)\s*\(/gi;
  for (let m = call.exec(body); m; m = call.exec(body)) {
    const fn = m[1]!.toLowerCase();
    if (SIDE_EFFECT_FUNCTIONS.has(fn) || SIDE_EFFECT_PREFIX.test(fn))
      return { ok: false, reason: `it calls ${fn}(), which acts outside the transaction` };
  }
  return { ok: true };
}

/**
 * Replaces comments, string literals and quoted identifiers with a space, so what remains is
 * keywords, names, numbers and punctuation. Returns an error for what it cannot read safely:
 * an unterminated literal or comment, or MySQL's executable comments (`/*! ... *\/`), whose
 * content the server runs.
 */
export function stripLiterals(sql: string, system: SqlSystem): string | { error: string } {
  let out = "";
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
      out += " ";
    } else if (c === "#" && system === "mysql") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
      out += " ";
    } else if (c === "/" && next === "*") {
      if (system === "mysql" && (sql[i + 2] === "!" || (sql[i + 2] === "M" && sql[i + 3] === "!")))
        return { error: "it holds an executable comment (/*! ... */), which MySQL runs as SQL" };
      const end = closeBlockComment(sql, i, system === "postgresql");
      if (end < 0) return { error: "it has an unterminated comment" };
      i = end;
      out += " ";
    } else if (c === "'" || (c === '"' && system === "mysql")) {
      const end = closeQuoted(sql, i, c, system === "mysql" || isEscapeString(sql, i));
      if (end < 0) return { error: "it has an unterminated string" };
      i = end;
      out += " '' ";
    } else if (c === '"' || c === "`" || (c === "[" && system === "sqlite")) {
      const close = c === "[" ? "]" : c;
      const end = closeQuoted(sql, i, close, false);
      if (end < 0) return { error: "it has an unterminated quoted name" };
      i = end;
      out += " q ";
    } else if (c === "$" && system === "postgresql") {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 66));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        if (end < 0) return { error: "it has an unterminated $-quoted string" };
        i = end + tag[0].length;
        out += " '' ";
      } else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** PostgreSQL's E'...' strings take backslash escapes; plain ones do not. */
function isEscapeString(sql: string, quote: number): boolean {
  const before = sql[quote - 1];
  return (before === "E" || before === "e") && !/[A-Za-z0-9_]/.test(sql[quote - 2] ?? "");
}

/** Index just past the closing quote (a doubled quote is an escaped one), or -1. */
function closeQuoted(sql: string, open: number, quote: string, backslashEscapes: boolean): number {
  for (let i = open + 1; i < sql.length; i++) {
    const c = sql[i];
    if (backslashEscapes && c === "\\") {
      i++;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote && quote !== "]") {
        i++;
        continue;
      }
      return i + 1;
    }
  }
  return -1;
}

/** Index just past the end of a block comment; PostgreSQL nests them. -1 when unterminated. */
function closeBlockComment(sql: string, open: number, nests: boolean): number {
  let depth = 0;
  for (let i = open; i < sql.length - 1; i++) {
    if (sql[i] === "/" && sql[i + 1] === "*" && (nests || depth === 0)) {
      depth++;
      i++;
    } else if (sql[i] === "*" && sql[i + 1] === "/") {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
