// Small tokenizers for code blocks. They split text into typed spans that the renderer shows as
// text nodes: highlighting never builds HTML, so hostile SQL or JSON stays inert.

export type TokenKind =
  | "keyword"
  | "string"
  | "number"
  | "comment"
  | "param"
  | "ident"
  | "punct"
  | "literal"
  | "key"
  | "plain";

export interface Token {
  kind: TokenKind;
  text: string;
}

/** Past this many characters a block is shown plain: tokenizing must stay cheap on any input. */
const MAX_TOKENIZED = 200_000;

const SQL_KEYWORDS = new Set(
  (
    "select from where and or not in is null like ilike between join left right inner outer full cross on as " +
    "group by order having limit offset insert into values update set delete returning create table index view " +
    "drop alter add column primary key foreign references unique default distinct union all except intersect " +
    "case when then else end exists with recursive asc desc nulls first last begin commit rollback savepoint " +
    "explain analyze count sum avg min max coalesce true false cast over partition window lateral using " +
    "if replace ignore duplicate conflict do nothing for share lock"
  ).split(" "),
);

const SQL_TOKEN =
  /(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|('(?:[^']|'')*(?:'|$))|("(?:[^"]|"")*(?:"|$)|`[^`]*(?:`|$))|(\$\d+|\?|:[A-Za-z_]\w*|@[A-Za-z_]\w*)|(\b\d+(?:\.\d+)?(?:e[+-]?\d+)?)|([A-Za-z_][\w$]*)|(\s+)|([^\sA-Za-z_\d])/gy;

/**
 * Splits SQL into keyword, string, number, comment, parameter and identifier tokens.
 *
 * @example
 * tokenizeSql("select * from users where id = $1");
 * // [{ kind: "keyword", text: "select" }, { kind: "plain", text: " " }, ...]
 */
export function tokenizeSql(sql: string): Token[] {
  if (sql.length > MAX_TOKENIZED) return [{ kind: "plain", text: sql }];
  const tokens: Token[] = [];
  SQL_TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null = SQL_TOKEN.exec(sql);
  while (m !== null) {
    const text = m[0];
    let kind: TokenKind = "plain";
    if (m[1] !== undefined) kind = "comment";
    else if (m[2] !== undefined) kind = "string";
    else if (m[3] !== undefined) kind = "ident";
    else if (m[4] !== undefined) kind = "param";
    else if (m[5] !== undefined) kind = "number";
    else if (m[6] !== undefined) kind = SQL_KEYWORDS.has(text.toLowerCase()) ? "keyword" : "ident";
    else if (m[8] !== undefined) kind = "punct";
    push(tokens, kind, text);
    if (SQL_TOKEN.lastIndex === sql.length) break;
    m = SQL_TOKEN.exec(sql);
  }
  return finish(tokens, sql);
}

const JSON_TOKEN =
  /("(?:[^"\\]|\\.)*"?)(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null)|(\s+)|([^\s"\d\-tfn]+|[\s\S])/gy;

/**
 * Splits JSON (or JSON-like text) into key, string, number, literal and punctuation tokens.
 *
 * @example
 * tokenizeJson('{"a": 1}'); // [{ kind: "punct", text: "{" }, { kind: "key", text: '"a"' }, ...]
 */
export function tokenizeJson(text: string): Token[] {
  if (text.length > MAX_TOKENIZED) return [{ kind: "plain", text }];
  const tokens: Token[] = [];
  JSON_TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null = JSON_TOKEN.exec(text);
  while (m !== null) {
    if (m[1] !== undefined) {
      push(tokens, m[2] !== undefined ? "key" : "string", m[1]);
      if (m[2] !== undefined) push(tokens, "punct", m[2]);
    } else if (m[3] !== undefined) push(tokens, "number", m[3]);
    else if (m[4] !== undefined) push(tokens, "literal", m[4]);
    else if (m[5] !== undefined) push(tokens, "plain", m[5]);
    else push(tokens, "punct", m[0]);
    if (JSON_TOKEN.lastIndex === text.length) break;
    m = JSON_TOKEN.exec(text);
  }
  return finish(tokens, text);
}

/** Merges neighbours of the same kind so a long block does not become thousands of spans. */
function push(tokens: Token[], kind: TokenKind, text: string): void {
  const last = tokens[tokens.length - 1];
  if (last && last.kind === kind && (kind === "plain" || kind === "punct")) last.text += text;
  else tokens.push({ kind, text });
}

/** Whatever a sticky regex could not match is kept as plain text: no character is ever lost. */
function finish(tokens: Token[], source: string): Token[] {
  const seen = tokens.reduce((n, t) => n + t.text.length, 0);
  if (seen < source.length) tokens.push({ kind: "plain", text: source.slice(seen) });
  return tokens;
}
