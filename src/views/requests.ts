/** What the request presenter needs: each request with its learner and mentor. */
import type { Knex } from 'knex';
import { User, type MentorRequest } from '../models/index.ts';

export interface RequestView {
  request: MentorRequest;
  learner: User;
  mentor: User;
}

/** What the request presenter needs, for any number of requests in one query. */
export async function loadRequestViews(db: Knex | Knex.Transaction, requests: MentorRequest[]): Promise<RequestView[]> {
  if (requests.length === 0) return [];
  const ids = [...new Set(requests.flatMap((r) => [r.learner_id, r.mentor_id]))];
  const people = new Map((await User.query(db).findByIds(ids)).map((u) => [u.id, u]));
  return requests.map((request) => ({
    request,
    learner: people.get(request.learner_id)!,
    mentor: people.get(request.mentor_id)!,
  }));
}

export async function loadRequestView(db: Knex | Knex.Transaction, request: MentorRequest): Promise<RequestView> {
  const [view] = await loadRequestViews(db, [request]);
  return view!;
}
