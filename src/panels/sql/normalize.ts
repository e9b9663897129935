/**
 * Reduces a statement to its shape: string and number literals, placeholders ($1, ?, :name,
 * @name) and IN lists become `?`, whitespace is collapsed. Two queries with the same shape
 * differ only in their values, which is what "similar" and N+1 detection compare.
 *
 * @example
 * normalizeSql("SELECT * FROM books WHERE author_id = $1 AND id IN (1, 2, 3)")
 * // → "SELECT * FROM books WHERE author_id = ? AND id IN (?)"
 */
export function normalizeSql(sql: string): string {
  return (
    sql
      // Comments first, so their contents are not read as literals.
      .replace(/--[^\n]*/g, " ")
      .replace(/\/\*[\s\S]*?\*\//g, " ")
      // PostgreSQL dollar-quoted strings: $$...$$ and $tag$...$tag$.
      .replace(/\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$/g, "?")
      // Single-quoted strings (with '' or \' inside), with an optional E/N/X prefix.
      .replace(/\b[ENXenx]?'(?:[^'\\]|''|\\.)*'/g, "?")
      .replace(/'(?:[^'\\]|''|\\.)*'/g, "?")
      // Numbers that are not part of an identifier (t1, col_2 stay).
      .replace(/(?<![\w$.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, "?")
      // Placeholders.
      .replace(/\$\d+/g, "?")
      .replace(/\?\d+/g, "?")
      .replace(/(?<![\w:]):[A-Za-z_]\w*/g, "?")
      .replace(/(?<![\w@])@[A-Za-z_]\w*/g, "?")
      // Collapse whitespace before list folding so "( ?, ? )" and "(?,?)" match.
      .replace(/\s+/g, " ")
      .replace(/\(\s*\?(?:\s*,\s*\?)*\s*\)/g, "(?)")
      // Multi-row VALUES lists: VALUES (?, ?), (?, ?) → VALUES (?, ?)
      .replace(/(\([?, ]+\))(?:\s*,\s*\1)+/g, "$1")
      // A trailing semicolon does not change the statement.
      .replace(/\s*;\s*$/, "")
      .trim()
  );
}
