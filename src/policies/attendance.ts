/** Who sees a session's attendance (who came, for how long): its mentor and admins. */
import { Session } from '../models/index.ts';
import { allow, isAdmin } from './policy.ts';

allow(Session, 'read_attendance', (user, s) => s.mentor_id === user.id || isAdmin(user));
