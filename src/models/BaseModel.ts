/**
 * The base of every model. The schema lives only in migrations; models add relations, timestamp
 * hooks and the value conversions that make SQLite and PostgreSQL look the same to the code:
 * times are `Date` objects in JS (the knex client binds them as ISO-8601 strings, for models and
 * raw queries alike: `bindTimesAsIso` in src/db/knex.ts), booleans are booleans (SQLite stores
 * 0/1), JSON columns are parsed.
 */
import { Model, type Pojo, type QueryContext } from 'objection';

export class BaseModel extends Model {
  /** Columns holding times (converted to/from Date). */
  static timeColumns: readonly string[] = [];
  /** Columns holding booleans (SQLite returns 0/1). */
  static boolColumns: readonly string[] = [];
  /** Columns set to now on insert when absent. */
  static insertTimestamps: readonly string[] = [];
  /** Whether the table has updated_at (set on insert and update). */
  static hasUpdatedAt = false;

  override $parseDatabaseJson(json: Pojo): Pojo {
    const parsed = super.$parseDatabaseJson(json);
    const ctor = this.constructor as typeof BaseModel;
    for (const c of ctor.timeColumns) {
      const v = parsed[c];
      if (v != null && !(v instanceof Date)) parsed[c] = new Date(v);
    }
    for (const c of ctor.boolColumns) {
      const v = parsed[c];
      if (v != null && typeof v !== 'boolean') parsed[c] = Boolean(Number(v));
    }
    return parsed;
  }

  override $beforeInsert(_ctx: QueryContext): void {
    const ctor = this.constructor as typeof BaseModel;
    const now = new Date();
    const self = this as unknown as Record<string, unknown>;
    for (const c of ctor.insertTimestamps) if (self[c] == null) self[c] = now;
    if (ctor.hasUpdatedAt) self.updated_at = now;
  }

  override $beforeUpdate(): void {
    const ctor = this.constructor as typeof BaseModel;
    if (ctor.hasUpdatedAt) (this as unknown as Record<string, unknown>).updated_at = new Date();
  }
}
