/**
 * The one place where SQLite and PostgreSQL differences are handled in queries. (The others are
 * handled at the edges: times are ISO text on SQLite and timestamptz on PostgreSQL, converted by
 * BaseModel; JSON columns are text parsed by Objection; month grouping in a timezone happens in
 * JavaScript, src/lib/time.ts; partial unique indexes use SQL both accept, migrations/.)
 */
import type { Model, QueryBuilder } from 'objection';

/** `term` as a LIKE pattern matching it anywhere, with `%`, `_` and `\` taken literally. */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Case-insensitive "contains" on any of `columns`: `lower(col) LIKE lower(?) ESCAPE '\'`, which
 * both engines evaluate alike (PostgreSQL's ILIKE does not exist on SQLite). Both sides are folded
 * by the database, because SQLite's lower() folds ASCII letters only: a term folded by JavaScript
 * would miss stored non-ASCII capitals.
 */
export function whereContainsInsensitive<M extends Model>(
  builder: QueryBuilder<M, M[]>,
  columns: readonly string[],
  term: string,
): void {
  const pattern = containsPattern(term);
  builder.where((w) => {
    for (const column of columns) w.orWhereRaw(`lower(${column}) LIKE lower(?) ESCAPE '\\'`, [pattern]);
  });
}
