import { isSecretKey, type RedactRules, redactValue } from "../core/redact.js";

const MAX_PARAMS = 100;
const MAX_STRING = 1000;

export interface RedactedParams {
  params: unknown[] | Record<string, unknown>;
  truncated: boolean;
}

/**
 * Copies bound parameters for storage: secret-named keys of named parameters are masked, and a
 * positional parameter is masked when its placeholder is compared with or assigned to a
 * secret-named column (`password = $1`, `INSERT INTO users (email, password) VALUES (?, ?)`).
 * Long strings and buffers are shortened and marked.
 *
 * @example
 * redactSqlParams("SELECT * FROM users WHERE email = $1 AND password = $2", ["a@b.c", "hunter2"], rules)
 * // → { params: ["a@b.c", "[redacted]"], truncated: false }
 */
export function redactSqlParams(
  sql: string,
  params: unknown,
  rules: RedactRules,
): RedactedParams | undefined {
  if (params === null || params === undefined) return undefined;
  const state = { truncated: false };
  if (Array.isArray(params)) {
    const secret = secretPlaceholders(sql, rules);
    const kept = params.length > MAX_PARAMS ? params.slice(0, MAX_PARAMS) : params;
    if (kept !== params) state.truncated = true;
    const out = kept.map((value, i) =>
      secret.has(i) && value !== null && value !== undefined
        ? rules.replacement
        : copyParam(value, rules, state),
    );
    if (kept !== params) out.push(`[${params.length - MAX_PARAMS} more parameters]`);
    return { params: out, truncated: state.truncated };
  }
  if (typeof params === "object") {
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const [key, value] of Object.entries(params)) {
      if (n++ >= MAX_PARAMS) {
        state.truncated = true;
        break;
      }
      out[key] =
        isSecretKey(key, rules) && value !== null && value !== undefined
          ? rules.replacement
          : copyParam(value, rules, state);
    }
    return { params: out, truncated: state.truncated };
  }
  return { params: [bound(params, state)], truncated: state.truncated };
}

/** One parameter as stored: JSON-like values copied with secret keys masked, the rest bounded. */
function copyParam(value: unknown, rules: RedactRules, state: { truncated: boolean }): unknown {
  if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value) && !(value instanceof Date))
    return redactValue(value, rules);
  return bound(value, state);
}

/** Shortens what would bloat a record: long strings, buffers, typed arrays, dates kept as ISO text. */
function bound(value: unknown, state: { truncated: boolean }): unknown {
  if (typeof value === "string") {
    if (value.length <= MAX_STRING) return value;
    state.truncated = true;
    return `${value.slice(0, MAX_STRING)}…[truncated ${value.length - MAX_STRING} chars]`;
  }
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (typeof value === "function" || typeof value === "symbol") return String(value);
  return value;
}

// A placeholder: $1 (pg), ? (mysql, sqlite), ?1 (sqlite).
const PLACEHOLDER = /\$(\d+)|\?(\d*)/y;
// An identifier, dotted parts included (schema.table.column), plain or quoted.
const IDENT = /(?:[A-Za-z_][\w$]*|"(?:[^"]|"")+"|`[^`]+`)(?:\.(?:[A-Za-z_][\w$]*|"(?:[^"]|"")+"|`[^`]+`))*/y;

interface Token {
  kind: "ident" | "placeholder" | "punct" | "word";
  text: string;
  /** For placeholders: the 0-based parameter index. */
  index?: number;
}

/**
 * The indexes of parameters bound to secret-named columns. A small tokenizer (skips string
 * literals and comments) finds `column <op> placeholder` and INSERT column lists.
 */
export function secretPlaceholders(sql: string, rules: RedactRules): Set<number> {
  const secret = new Set<number>();
  if (!rules.keys.test(sql)) return secret; // the common case: no secret-looking word at all
  const tokens = tokenize(sql);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== "placeholder") continue;
    // column = ?, column <> ?, column LIKE ?, column IN (?, ?)
    let j = i - 1;
    while (
      j >= 0 &&
      (tokens[j]!.text === "(" || tokens[j]!.text === "," || tokens[j]!.kind === "placeholder")
    )
      j--;
    const op = tokens[j];
    const column = tokens[j - 1];
    if (op && column?.kind === "ident" && isComparison(op.text) && isSecretColumn(column.text, rules))
      secret.add(t.index!);
  }
  for (const columns of insertColumnLists(tokens)) {
    columns.placeholders.forEach((index, position) => {
      const name = columns.names[position % columns.names.length];
      if (index !== undefined && name !== undefined && isSecretColumn(name, rules)) secret.add(index);
    });
  }
  return secret;
}

const COMPARISONS = new Set(["=", "<>", "!=", "like", "ilike", "in", "<", ">", "<=", ">="]);
const isComparison = (op: string) => COMPARISONS.has(op.toLowerCase());

function isSecretColumn(name: string, rules: RedactRules): boolean {
  const last = name.slice(name.lastIndexOf(".") + 1);
  return isSecretKey(last.replace(/^["`]|["`]$/g, ""), rules);
}

/** `INSERT INTO t (a, b) VALUES (?, ?), (?, ?)`: the column names and each VALUES slot's placeholder. */
function* insertColumnLists(
  tokens: Token[],
): Generator<{ names: string[]; placeholders: Array<number | undefined> }> {
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.text.toLowerCase() !== "insert") continue;
    let j = i + 1;
    while (j < tokens.length && tokens[j]!.text !== "(") j++;
    const names: string[] = [];
    for (j++; j < tokens.length && tokens[j]!.text !== ")"; j++)
      if (tokens[j]!.kind === "ident") names.push(tokens[j]!.text);
    while (j < tokens.length && tokens[j]!.text.toLowerCase() !== "values") j++;
    const placeholders: Array<number | undefined> = [];
    let depth = 0;
    let slotHasPlaceholder = false;
    for (j++; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (t.text === "(") {
        depth++;
        continue;
      }
      if (t.text === ")") {
        if (depth === 1 && !slotHasPlaceholder) placeholders.push(undefined);
        slotHasPlaceholder = false;
        depth--;
        if (depth < 0) break;
        continue;
      }
      if (depth === 0 && t.kind !== "punct") break; // past the VALUES list (ON CONFLICT, RETURNING)
      if (depth === 1 && t.text === ",") {
        if (!slotHasPlaceholder) placeholders.push(undefined);
        slotHasPlaceholder = false;
      } else if (depth === 1 && t.kind === "placeholder" && !slotHasPlaceholder) {
        placeholders.push(t.index);
        slotHasPlaceholder = true;
      }
    }
    if (names.length) yield { names, placeholders };
    i = j;
  }
}

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let question = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === "'") {
      i = skipQuoted(sql, i, "'");
      tokens.push({ kind: "word", text: "'…'" });
      continue;
    }
    if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === "$" || c === "?") {
      PLACEHOLDER.lastIndex = i;
      const m = PLACEHOLDER.exec(sql);
      if (m) {
        const index = m[1] !== undefined ? Number(m[1]) - 1 : m[2] ? Number(m[2]) - 1 : question++;
        tokens.push({ kind: "placeholder", text: m[0], index });
        i += m[0].length;
        continue;
      }
    }
    IDENT.lastIndex = i;
    const id = IDENT.exec(sql);
    if (id) {
      tokens.push({ kind: "ident", text: id[0] });
      i += id[0].length;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (two === "<>" || two === "!=" || two === "<=" || two === ">=") {
      tokens.push({ kind: "punct", text: two });
      i += 2;
      continue;
    }
    tokens.push({ kind: "punct", text: c });
    i++;
  }
  return tokens;
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === "\\") {
      i += 2;
      continue;
    }
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return i;
}
