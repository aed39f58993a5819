/**
 * Options and arguments several commands share, so they read and behave the same everywhere.
 */
import { InvalidArgumentError, Option } from 'commander';
import type { Schema } from '../../src/contract/types.ts';

/** The enums of openapi.yaml offered as choices (checked against the generated types). */
export const ROLES = ['mentor', 'learner'] as const satisfies readonly Schema<'Role'>[];
export const AUDIENCES = ['mentor', 'learner', 'all'] as const satisfies readonly Schema<'BroadcastToRole'>['role'][];
export const SESSION_STATUSES = ['draft', 'scheduled', 'in_progress', 'completed', 'cancelled'] as const satisfies readonly Schema<'SessionStatus'>[];
export const API_KEY_SCOPES = ['platform:users', 'platform:tokens', 'webhooks', 'events', 'admin:read'] as const satisfies readonly Schema<'ApiKeyScope'>[];
export const PAYOUT_STATUSES = ['pending', 'approved', 'paid', 'rejected'] as const satisfies readonly Schema<'PayoutStatus'>[];

/** Global options, as commands receive them from `optsWithGlobals()`. */
export interface GlobalOptions {
  url?: string;
}

export const jsonOption = () => new Option('--json', 'print the result as JSON (shapes: see docs/cli.md)');

export const yesOption = () => new Option('-y, --yes', 'do not ask for confirmation');

export function positiveInt(label: string, max: number) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
      throw new InvalidArgumentError(`${label} must be a whole number from 1 to ${max}.`);
    }
    return Number(raw);
  };
}

/** A record id (positive 32-bit integer, as the API's `Id` parameter). */
export const parseId = positiveInt('An id', 2147483647);

export const limitOption = () =>
  new Option('--limit <n>', 'show at most n items (default: all, fetched page by page)').argParser(
    positiveInt('--limit', 1000000),
  );

export const mentorOption = () => new Option('--mentor <id>', "only this mentor's (user id)").argParser(parseId);

/** The "Examples:" block shown after a command's help. */
export function examples(...lines: ReadonlyArray<readonly [command: string, what?: string]>): string {
  const width = Math.max(...lines.map(([command]) => command.length));
  const line = ([command, what]: readonly [string, string?]) => (what ? `  $ ${command.padEnd(width)}  # ${what}` : `  $ ${command}`);
  return ['', 'Examples:', ...lines.map(line)].join('\n');
}
