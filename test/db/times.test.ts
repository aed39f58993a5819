/**
 * Times in queries (src/db/knex.ts, bindTimesAsIso): a `Date` bound by any query — inside or
 * outside a transaction, raw or built, on the writer or the read pool — reaches the database as its
 * ISO-8601 string, the storage format of times; on the database of the run (SQLite by default,
 * PostgreSQL with TEST_DB=postgres).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createKnex, createReadKnex } from '../../src/db/knex.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { Session } from '../../src/models/index.ts';
import { buildSession, buildUser } from '../helpers/factories.ts';
import { freshDatabase, usePostgres } from '../helpers/server.ts';

describe('times bound in queries', () => {
  let dataDir: string;
  let db: Knex;
  let dbRead: Knex;
  let drop: () => Promise<void>;
  const at = new Date('2031-05-06T07:08:09.123Z');

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-times-'));
    const fresh = await freshDatabase(dataDir);
    const url = fresh.url;
    drop = fresh.drop;
    db = createKnex(url);
    await migrateLatest(db);
    dbRead = createReadKnex(url, db, 1);
  });

  after(async () => {
    if (dbRead !== db) await dbRead.destroy();
    await db.destroy();
    await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const text = usePostgres() ? 'select ?::text as v' : 'select ? as v';
  const rowsOf = (result: unknown): Array<{ v: unknown }> => (Array.isArray(result) ? result : (result as { rows: Array<{ v: unknown }> }).rows);

  it('binds a Date as its ISO string outside a transaction, inside one and inside a savepoint', async () => {
    expect(rowsOf(await db.raw(text, [at]))[0]!.v).to.equal(at.toISOString());
    await db.transaction(async (trx) => {
      expect(rowsOf(await trx.raw(text, [at]))[0]!.v).to.equal(at.toISOString());
      await trx.transaction(async (inner) => {
        expect(rowsOf(await inner.raw(text, [at]))[0]!.v).to.equal(at.toISOString());
      });
    });
  });

  it('compares stored times with Dates in built queries, as the models store them', async () => {
    const mentor = await buildUser(db, { role: 'mentor' });
    const session = await buildSession(db, { mentor_id: mentor.id, start_time: at, end_time: new Date(at.getTime() + 3_600_000) });
    const inTrx = await db.transaction((trx) => trx('sessions').where('id', session.id).where('start_time', '>=', at).pluck('id'));
    expect(inTrx.map(Number)).to.deep.equal([session.id]);
    expect((await dbRead('sessions').where('id', session.id).where('start_time', '>', at).pluck('id'))).to.deep.equal([]);
    await db('sessions').where('id', session.id).update({ end_time: new Date(at.getTime() + 7_200_000) });
    const reread = await Session.query(db).findById(session.id);
    expect(reread!.end_time.toISOString()).to.equal('2031-05-06T09:08:09.123Z');
  });
});
