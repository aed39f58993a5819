/** Who may see and process a payout: its mentor reads it; admins read and process every payout. */
import { Payout } from '../models/index.ts';
import { allow, isAdmin } from './policy.ts';

allow(Payout, 'read', (user, p) => p.mentor_id === user.id || isAdmin(user));
allow(Payout, ['approve', 'reject', 'mark_paid'], (user) => isAdmin(user));
