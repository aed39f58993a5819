/**
 * The read pool (src/db/knex.ts, createReadKnex): on a SQLite file, read-only connections beside the
 * single writer that see every committed write and never a transaction's uncommitted one; the
 * writer itself on PostgreSQL, for an in-memory database and when the pool size is 0.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createKnex, createReadKnex } from '../../src/db/knex.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { User } from '../../src/models/index.ts';
import { buildUser } from '../helpers/factories.ts';
import { freshDatabase } from '../helpers/server.ts';

describe('read pool', () => {
  describe('on a SQLite file', () => {
    let dataDir: string;
    let db: Knex;
    let dbRead: Knex;

    before(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-read-pool-'));
      const { url } = await freshDatabase(dataDir, 'sqlite');
      db = createKnex(url);
      await migrateLatest(db);
      dbRead = createReadKnex(url, db, 2);
    });

    after(async () => {
      await dbRead.destroy();
      await db.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('is a pool of its own, of the configured size', () => {
      expect(dbRead).to.not.equal(db);
      expect(dbRead.client.pool.max).to.equal(2);
    });

    it('refuses to write', async () => {
      let error: Error | undefined;
      await dbRead('users').where('id', -1).delete().catch((err: Error) => (error = err));
      expect(error?.message).to.match(/readonly|read-only/i);
    });

    it('sees a write as soon as it is committed, and not before', async () => {
      const user = await buildUser(db);
      expect((await User.query(dbRead).findById(user.id))?.username).to.equal(user.username);
      await db.transaction(async (trx) => {
        await User.query(trx).findById(user.id).patch({ is_active: false });
        expect((await User.query(dbRead).findById(user.id))?.is_active).to.equal(true);
      });
      expect((await User.query(dbRead).findById(user.id))?.is_active).to.equal(false);
    });

    it('reads while the writer holds a transaction open', async () => {
      await db.transaction(async (trx) => {
        await trx('users').where('id', -1).update({ first_name: 'x' }); // the write lock is taken
        const [{ n }] = await dbRead('users').count({ n: '*' });
        expect(Number(n)).to.be.greaterThan(0);
      });
    });
  });

  it('is the writer itself for PostgreSQL, an in-memory database, or a pool size of 0', async () => {
    const pg = createKnex('postgres://nobody@127.0.0.1:1/none');
    const memory = createKnex('sqlite::memory:');
    try {
      expect(createReadKnex('postgres://nobody@127.0.0.1:1/none', pg, 3)).to.equal(pg);
      expect(createReadKnex('sqlite::memory:', memory, 3)).to.equal(memory);
      expect(createReadKnex(`sqlite://${path.join(os.tmpdir(), 'never-opened.sqlite3')}`, memory, 0)).to.equal(memory);
    } finally {
      await Promise.all([pg.destroy(), memory.destroy()]);
    }
  });
});
