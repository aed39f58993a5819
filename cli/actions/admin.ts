/** `mentorctl admin create`: the first admin account, written straight to the local database. */
import type { Schema } from '../../src/contract/types.ts';
import { createUser } from '../../src/services/auth.ts';
import { ACCOUNT_FLAGS, askAccount } from '../lib/account.ts';
import { isProblemLike, problemError } from '../lib/errors.ts';
import { requireMigrated, withDatabase } from '../lib/localDb.ts';
import { success } from '../lib/output.ts';

export interface AdminCreateOptions {
  username?: string;
  email?: string;
  password?: string;
  role: Schema<'Role'>;
}

export async function createAdmin(opts: AdminCreateOptions): Promise<void> {
  const account = await askAccount(opts);
  await withDatabase(async (db) => {
    await requireMigrated(db);
    try {
      const user = await createUser(db, { ...account, role: opts.role, is_admin: true });
      success(`Created admin ${user.username} (id ${user.id}, ${user.role}). Log in with "mentorctl login".`);
    } catch (err) {
      // createUser reports a taken username or email as the API would (409 naming the field).
      if (isProblemLike(err)) throw problemError(err, ACCOUNT_FLAGS);
      throw err;
    }
  });
}
