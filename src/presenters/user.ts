/**
 * User presenters: the only place a user record becomes JSON. Field whitelists, so a password hash
 * or a flag added to the table later can never leak by accident.
 */
import type { Schema } from '../contract/types.ts';
import { formatCentsOrNull } from '../lib/money.ts';
import { iso } from '../lib/time.ts';
import type { User } from '../models/index.ts';

export function avatarUrl(user: Pick<User, 'avatar'>): string | null {
  return user.avatar ? `/media/${user.avatar}` : null;
}

export function presentUserSummary(user: User): Schema<'UserSummary'> {
  return {
    id: user.id,
    username: user.username,
    first_name: user.first_name,
    last_name: user.last_name,
    avatar: avatarUrl(user),
  };
}

/** The caller's own profile. */
export function presentProfile(user: User): Schema<'Profile'> {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    role: user.role,
    is_admin: user.is_admin,
    first_name: user.first_name,
    last_name: user.last_name,
    bio: user.bio,
    expertise: user.expertise ?? [],
    timezone: user.timezone,
    hourly_rate: formatCentsOrNull(user.hourly_rate_cents),
    currency: user.currency,
    avatar: avatarUrl(user),
    created_at: iso(user.created_at),
    last_login: iso(user.last_login),
  };
}

/** A user as admins see them. */
export function presentAdminUser(user: User): Schema<'AdminUser'> {
  return { ...presentProfile(user), is_active: user.is_active, updated_at: iso(user.updated_at) };
}
