/** `mentorctl users …`: accounts, through the admin API. */
import type { Schema } from '../../src/contract/types.ts';
import { collectPages, connect, expectOk, type ApiClient } from '../lib/api.ts';
import { ACCOUNT_FLAGS, askAccount } from '../lib/account.ts';
import { ROLES, type GlobalOptions } from '../lib/options.ts';
import { printFields, printJson, printLine, printTable, shortTime, statusColor, success, yesNo } from '../lib/output.ts';
import { askChoice, confirmOrAbort } from '../lib/prompts.ts';

type AdminUser = Schema<'AdminUser'>;
type AdminUserUpdate = Schema<'AdminUserUpdate'>;
type Role = Schema<'Role'>;

const displayName = (u: AdminUser) => `${u.first_name} ${u.last_name}`.trim();

function printUsers(users: readonly AdminUser[]): void {
  printTable(users, [
    { header: 'ID', value: (u) => String(u.id), align: 'right' },
    { header: 'USERNAME', value: (u) => u.username, max: 24 },
    { header: 'NAME', value: displayName, max: 24 },
    { header: 'EMAIL', value: (u) => u.email, max: 40 },
    { header: 'ROLE', value: (u) => u.role },
    { header: 'ADMIN', value: (u) => yesNo(u.is_admin) },
    { header: 'STATUS', value: (u) => (u.is_active ? 'active' : 'inactive'), color: statusColor },
    { header: 'LAST LOGIN (UTC)', value: (u) => shortTime(u.last_login) },
  ]);
}

function printUser(user: AdminUser): void {
  printFields([
    ['ID', String(user.id)],
    ['Username', user.username],
    ['Name', displayName(user) || '—'],
    ['Email', user.email],
    ['Role', user.role],
    ['Admin', yesNo(user.is_admin)],
    ['Status', user.is_active ? 'active' : 'inactive'],
    ['Timezone', user.timezone],
    ['Expertise', user.expertise.join(', ') || '—'],
    ['Hourly rate', user.hourly_rate ? `${user.hourly_rate} ${user.currency}` : '—'],
    ['Joined (UTC)', shortTime(user.created_at)],
    ['Last login (UTC)', shortTime(user.last_login)],
  ]);
}

export interface ListUsersOptions {
  role?: Role;
  active?: boolean;
  inactive?: boolean;
  search?: string;
  limit?: number;
  json?: boolean;
}

/** JSON shape: an array of `AdminUser` (openapi.yaml), ordered by id. */
export async function listUsers(opts: ListUsersOptions, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  const is_active = opts.active ? true : opts.inactive ? false : undefined;
  const users = await collectPages(
    (page, page_size) =>
      expectOk(client.GET('/api/admin/users/', { params: { query: { role: opts.role, is_active, search: opts.search, page, page_size } } })),
    opts.limit,
  );
  if (opts.json) printJson(users);
  else if (users.length === 0) printLine('No users match.');
  else printUsers(users);
}

export interface RecordOptions {
  json?: boolean;
}

function getUser(client: ApiClient, id: number): Promise<AdminUser> {
  return expectOk(client.GET('/api/admin/users/{id}/', { params: { path: { id } } }));
}

/** JSON shape: one `AdminUser`. */
export async function showUser(id: number, opts: RecordOptions, globals: GlobalOptions): Promise<void> {
  const user = await getUser(connect(globals.url).client, id);
  if (opts.json) printJson(user);
  else printUser(user);
}

export interface CreateUserOptions extends RecordOptions {
  username?: string;
  email?: string;
  password?: string;
  role?: Role;
  admin?: boolean;
  firstName?: string;
  lastName?: string;
}

/** JSON shape: the created `AdminUser`. */
export async function createUser(opts: CreateUserOptions, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  const account = await askAccount(opts);
  const role = await askChoice({ value: opts.role, flag: '--role', message: 'Role:', choices: ROLES });
  const user = await expectOk(
    client.POST('/api/admin/users/', {
      body: { ...account, role, is_admin: Boolean(opts.admin), first_name: opts.firstName, last_name: opts.lastName },
    }),
    { ...ACCOUNT_FLAGS, is_admin: '--admin', first_name: '--first-name', last_name: '--last-name' },
  );
  if (opts.json) printJson(user);
  else success(`Created ${user.is_admin ? 'admin ' : ''}${user.role} ${user.username} (id ${user.id}).`);
}

async function updateUser(client: ApiClient, id: number, body: AdminUserUpdate): Promise<AdminUser> {
  return expectOk(client.PATCH('/api/admin/users/{id}/', { params: { path: { id } }, body }), {
    role: 'the role',
    is_active: 'the status',
  });
}

function report(user: AdminUser, opts: RecordOptions, message: string): void {
  if (opts.json) printJson(user);
  else success(message);
}

/** JSON shape: the updated `AdminUser`. */
export async function setRole(id: number, role: Role, opts: RecordOptions, globals: GlobalOptions): Promise<void> {
  const user = await updateUser(connect(globals.url).client, id, { role });
  report(user, opts, `${user.username} (id ${user.id}) is now a ${user.role}.`);
}

export interface DeactivateOptions extends RecordOptions {
  yes?: boolean;
}

/** JSON shape: the updated `AdminUser`. */
export async function deactivate(id: number, opts: DeactivateOptions, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  const current = await getUser(client, id);
  await confirmOrAbort({
    yes: opts.yes,
    message: `Deactivate ${current.username} (id ${id})? They are signed out everywhere at once and cannot log in.`,
  });
  const user = await updateUser(client, id, { is_active: false });
  report(user, opts, `${user.username} (id ${user.id}) is deactivated and signed out.`);
}

/** JSON shape: the updated `AdminUser`. */
export async function activate(id: number, opts: RecordOptions, globals: GlobalOptions): Promise<void> {
  const user = await updateUser(connect(globals.url).client, id, { is_active: true });
  report(user, opts, `${user.username} (id ${user.id}) is active again.`);
}
