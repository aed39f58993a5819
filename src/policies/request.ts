/** Who may do what to a learner's request for a session (`MentorRequest`, table `requests`). */
import { MentorRequest } from '../models/index.ts';
import { allow, isAdmin } from './policy.ts';

const isItsLearner = (user: { id: number }, r: MentorRequest) => r.learner_id === user.id;
const isItsMentor = (user: { id: number }, r: MentorRequest) => r.mentor_id === user.id;

// Read: the two people involved and admins; everyone else gets 404.
allow(MentorRequest, 'read', (user, r) => isItsLearner(user, r) || isItsMentor(user, r) || isAdmin(user));
// Answering is the addressed mentor's alone (admins can read but not answer for them).
allow(MentorRequest, ['accept', 'decline'], (user, r) => isItsMentor(user, r));
// Withdrawing is the asking learner's alone.
allow(MentorRequest, 'cancel', (user, r) => isItsLearner(user, r));
