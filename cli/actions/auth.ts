/** `mentorctl login|logout|whoami`: the stored API login. */
import { anonymousClient, connect, DEFAULT_URL, expectOk, normaliseUrl } from '../lib/api.ts';
import { credentialsPath, deleteCredentials, readCredentials, writeCredentials } from '../lib/credentials.ts';
import type { GlobalOptions } from '../lib/options.ts';
import { printFields, printJson, success, warn } from '../lib/output.ts';
import { askPassword, askText } from '../lib/prompts.ts';

/** The server of the stored login, if it can be read (a corrupt file is replaced by logging in). */
function storedUrl(): string | undefined {
  try {
    return readCredentials()?.url;
  } catch {
    return undefined;
  }
}

export interface LoginOptions {
  username?: string;
  password?: string;
}

export async function login(opts: LoginOptions, globals: GlobalOptions): Promise<void> {
  const url = normaliseUrl(globals.url ?? storedUrl() ?? DEFAULT_URL);
  const username = await askText({ value: opts.username, flag: '--username', message: 'Username:' });
  const password = await askPassword({ value: opts.password, flag: '--password', message: 'Password:' });
  const pair = await expectOk(anonymousClient(url).POST('/api/auth/token/', { body: { username, password } }), {
    username: '--username',
    password: '--password',
  });
  writeCredentials({ url, username, access: pair.access, refresh: pair.refresh });
  success(`Logged in to ${url} as ${username}; the tokens are in ${credentialsPath()} (readable only by you).`);
  if (process.env.MENTORCTL_TOKEN) warn('MENTORCTL_TOKEN is set and is used instead of this login until you unset it.');
}

export async function logout(): Promise<void> {
  const credentials = readCredentials();
  if (!credentials) {
    success('Not logged in; nothing to do.');
    return;
  }
  try {
    await expectOk(anonymousClient(credentials.url).POST('/api/auth/logout/', { body: { refresh: credentials.refresh } }));
  } catch (err) {
    warn(`the server did not revoke the login (${(err as Error).message}); the stored tokens are deleted anyway.`);
  }
  deleteCredentials();
  success(`Logged out of ${credentials.url}.`);
}

export interface WhoamiOptions {
  json?: boolean;
}

/** JSON shape: `{ "url": string, "source": "credentials" | "MENTORCTL_TOKEN", "user": Profile }`. */
export async function whoami(opts: WhoamiOptions, globals: GlobalOptions): Promise<void> {
  const { client, url, source } = connect(globals.url);
  const user = await expectOk(client.GET('/api/profile/'));
  if (opts.json) {
    printJson({ url, source, user });
    return;
  }
  printFields([
    ['User', `${user.username} (id ${user.id})`],
    ['Role', `${user.role}${user.is_admin ? ', admin' : ''}`],
    ['Email', user.email],
    ['API', url],
    ['Credential', source === 'credentials' ? credentialsPath() : 'MENTORCTL_TOKEN'],
  ]);
  if (!user.is_admin) warn('this account is not an admin: the API refuses the admin commands (403).');
}
