/**
 * Profile bodies → `ProfileChanges` (src/services/profile.ts): the hourly rate becomes integer
 * cents; a multipart form's comma-separated `expertise` becomes a checked list of tags and its
 * empty `hourly_rate` clears the rate. A value that cannot be decoded is a 400 naming its field.
 */
import type { Schema } from '../../contract/types.ts';
import { invalidField } from '../../errors.ts';
import { parseMoneyOrNull } from '../../lib/money.ts';
import type { ProfileChanges } from '../../services/profile.ts';

/** A JSON body (PUT: every field, PATCH: some). */
export type ProfileJson = Schema<'ProfileReplace'> | Schema<'ProfileUpdate'>;
/** A multipart form body: every value a string, plus the `picture` file. */
export type ProfileForm = Schema<'ProfileReplaceMultipart'> | Schema<'ProfileUpdateMultipart'>;

const EXPERTISE_MAX_TAGS = 20;
const EXPERTISE_MAX_LENGTH = 50;

/** Why a list of expertise tags breaks the rules the JSON schema states for `Expertise`, or null. */
function expertiseProblem(tags: string[]): string | null {
  if (tags.length > EXPERTISE_MAX_TAGS) return `must list at most ${EXPERTISE_MAX_TAGS} tags`;
  if (tags.some((t) => t.length > EXPERTISE_MAX_LENGTH)) return `each tag must be at most ${EXPERTISE_MAX_LENGTH} characters`;
  if (new Set(tags).size !== tags.length) return 'must not repeat a tag';
  return null;
}

/** A comma-separated expertise field as a list: split, trimmed, empty entries dropped, then checked. */
function parseExpertiseList(value: string): string[] {
  const tags = value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const problem = expertiseProblem(tags);
  if (problem) throw invalidField('expertise', problem);
  return tags;
}

export function decodeProfile(body: ProfileJson): ProfileChanges {
  const { hourly_rate, ...rest } = body;
  const changes: ProfileChanges = { ...rest };
  if (hourly_rate !== undefined) changes.hourlyRateCents = parseMoneyOrNull(hourly_rate, 'hourly_rate');
  return changes;
}

/** Multipart form values (`expertise` split, an empty `hourly_rate` clears it). */
export function decodeProfileForm(form: ProfileForm): ProfileChanges {
  const { expertise, hourly_rate, picture: _picture, ...rest } = form;
  const changes: ProfileChanges = { ...rest };
  if (expertise !== undefined) changes.expertise = parseExpertiseList(expertise);
  if (hourly_rate !== undefined) changes.hourlyRateCents = hourly_rate === '' ? null : parseMoneyOrNull(hourly_rate, 'hourly_rate');
  return changes;
}
