import type { SqlEvent } from "../../instrument/sql-event.js";

/**
 * One or two sentences on how to fix an N+1 group: load the rows in one query (`= ANY($1)` on
 * PostgreSQL, `IN (...)` elsewhere), join them to the parent query, or ask the ORM to eager-load.
 *
 * @example
 * suggestFix("SELECT * FROM books WHERE author_id = ?", event)
 * // → "Load them in one query: SELECT * FROM books WHERE author_id = ANY($1) with all the ids, ..."
 */
export function suggestFix(normalized: string, sample: SqlEvent): string {
  const where = /\bwhere\s+([\w."`]+)\s*=\s*\?/i.exec(normalized);
  const column = where?.[1];
  const batch = column
    ? sample.system === "postgresql"
      ? `WHERE ${column} = ANY($1) with an array of all the values`
      : `WHERE ${column} IN (?, ?, …) with all the values`
    : sample.system === "postgresql"
      ? "= ANY($1) with an array of all the values"
      : "IN (?, ?, …) with all the values";
  return `The same query runs once per item. Load them in one query (${batch}) and group the rows in code, or JOIN this table into the query that loaded the items; with an ORM, eager-load the relation (Prisma include, Knex/Kysely join, Sequelize include, TypeORM relations).`;
}
