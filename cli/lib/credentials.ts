/**
 * The stored login: `$XDG_CONFIG_HOME/mentorctl/credentials.json` (default `~/.config/…`), readable
 * by its owner only (0600, in a 0700 folder). It is written atomically — a temporary file created
 * with mode 0600 and renamed over the old one — so a crash never leaves a half-written or
 * world-readable file, and the rotated refresh token is never lost.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './errors.ts';

export interface Credentials {
  url: string;
  username: string;
  access: string;
  refresh: string;
}

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'mentorctl', 'credentials.json');
}

function isCredentials(value: unknown): value is Credentials {
  const v = value as Record<string, unknown>;
  return Boolean(v) && ['url', 'username', 'access', 'refresh'].every((k) => typeof v[k] === 'string');
}

/** The stored login, or undefined when there is none. A corrupt file is an error naming it. */
export function readCredentials(file = credentialsPath()): Credentials | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isCredentials(parsed)) throw new CliError(`${file} is not a valid credentials file; run "mentorctl login" again`);
  return parsed;
}

export function writeCredentials(credentials: Credentials, file = credentialsPath()): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.credentials.${process.pid}.tmp`);
  fs.writeFileSync(temp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600, flag: 'w' });
  // writeFileSync only applies the mode to a new file; make sure a leftover temp file is private too.
  fs.chmodSync(temp, 0o600);
  fs.renameSync(temp, file);
}

/** Removes the stored login; false when there was none. */
export function deleteCredentials(file = credentialsPath()): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
