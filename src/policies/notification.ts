/** A notification belongs to its recipient alone: nobody else may see it (404), not even admins. */
import { Notification } from '../models/index.ts';
import { allow } from './policy.ts';

allow(Notification, ['read', 'update'], (user, n) => n.user_id === user.id);
