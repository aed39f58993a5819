/**
 * Learners who attended rate completed sessions, once each (a no-show may not: docs/rules.md). The
 * unique index (session_id, learner_id) is what makes "once" hold under concurrency: the check
 * below only gives the usual case a clear answer, and a racing duplicate that passes it is refused
 * by the index, mapped to the same 409.
 */
import type { Knex } from 'knex';
import { UniqueViolationError } from 'objection';
import type { Tx } from '../events.ts';
import { conflict } from '../errors.ts';
import { Feedback, User, type Session } from '../models/index.ts';
import { links, notify } from './notifications.ts';

export interface NewFeedback {
  rating: number;
  comment?: string | null;
}

const alreadyRated = () => conflict('You have already rated this session.', 'feedback_exists');

export async function createFeedback({ actor, ...tx }: Tx & { actor: User }, session: Session, input: NewFeedback): Promise<Feedback> {
  if (session.status !== 'completed') {
    throw conflict(`Only a completed session can be rated; this one is ${session.status}.`, 'session_not_completed');
  }
  if (session.viewerBooking?.status !== 'attended') {
    throw conflict('Only learners who attended the class may rate it: you were not in the room.', 'not_attended');
  }
  const existing = await Feedback.query(tx.trx).findOne({ session_id: session.id, learner_id: actor.id });
  if (existing) throw alreadyRated();
  let feedback: Feedback;
  try {
    feedback = await Feedback.query(tx.trx).insertAndFetch({
      session_id: session.id,
      learner_id: actor.id,
      rating: input.rating,
      comment: input.comment ?? null,
    });
  } catch (err) {
    if (err instanceof UniqueViolationError) throw alreadyRated();
    throw err;
  }
  await notify(tx, {
    userId: session.mentor_id,
    type: 'feedback_received',
    message: `${actor.displayName} rated "${session.title}" ${input.rating}/5.`,
    link: links.session(session.id),
    data: { session: session.id, feedback: feedback.id },
  });
  tx.emit({ type: 'feedback.created', feedback });
  return feedback;
}

/** A session's feedback, newest first: everyone's, or only `learnerId`'s. */
export function sessionFeedback(db: Knex, sessionId: number, onlyLearnerId?: number) {
  const query = Feedback.query(db).where('session_id', sessionId);
  if (onlyLearnerId !== undefined) query.where('learner_id', onlyLearnerId);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc');
}
