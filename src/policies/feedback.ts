/**
 * Feedback rules that go beyond src/policies/session.ts ('give_feedback'): who
 * sees every learner's feedback on a session rather than only their own.
 */
import { Session } from '../models/index.ts';
import { allow, isAdmin } from './policy.ts';

allow(Session, 'list_all_feedback', (user, s) => s.mentor_id === user.id || isAdmin(user));
