/** The questions for a new account, shared by `admin create` (local) and `users create` (API). */
import { schemaCheck } from './contract.ts';
import { askPassword, askText } from './prompts.ts';

/** Body fields of a new account → the flags that set them, for error messages. */
export const ACCOUNT_FLAGS = { username: '--username', email: '--email', password: '--password', role: '--role' } as const;

/** The username, email and password: from the flags, or asked for (the password hidden, twice). */
export async function askAccount(opts: { username?: string; email?: string; password?: string }) {
  const username = await askText({ value: opts.username, flag: '--username', message: 'Username:', check: schemaCheck('Username') });
  const email = await askText({ value: opts.email, flag: '--email', message: 'Email:', check: schemaCheck('Email') });
  const password = await askPassword({
    value: opts.password,
    flag: '--password',
    message: 'Password (at least 8 characters):',
    confirm: true,
    check: schemaCheck('Password'),
  });
  return { username, email, password };
}
