/** /api/sessions/{id}/feedback/: learners rate a completed session; mentors and admins read it all. */
import { mutate, type ApiRoutes } from '../route.ts';
import { paginate } from '../../lib/pagination.ts';
import { currentUser } from '../../middleware/authenticate.ts';
import { authorize, can } from '../../policies/index.ts';
import { presentFeedback } from '../../presenters/feedback.ts';
import { createFeedback, sessionFeedback } from '../../services/feedback.ts';
import { loadFeedbackViews } from '../../views/feedback.ts';
import { loadSessionForUser } from '../../services/sessionAccess.ts';
import { Session } from '../../models/index.ts';

export function registerFeedbackRoutes(routes: ApiRoutes): void {
  routes
    .on('listSessionFeedback', async (ctx, { path, query }) => {
      const user = currentUser(ctx);
      const { db } = ctx.deps;
      const session = await loadSessionForUser(db, user, path.id);
      // Whoever may see the session may list; a learner sees only their own entry (the contract
      // has no 403 here: a learner without a booking simply gets an empty page).
      authorize(user, 'read', session, 'Session');
      const onlyOwn = can(user, 'list_all_feedback', session) ? undefined : user.id;
      ctx.body = await paginate(ctx, sessionFeedback(db, session.id, onlyOwn), query, async (rows) =>
        (await loadFeedbackViews(db, rows)).map(presentFeedback),
      );
    })
    .on('createFeedback', async (ctx, { path, body }) => {
      const user = currentUser(ctx);
      const { db } = ctx.deps;
      const feedback = await mutate(ctx, user, {
        model: Session,
        load: (trx) => loadSessionForUser(trx, user, path.id),
        action: 'give_feedback',
        what: 'Session',
        work: (tx, session) => createFeedback(tx, session, body),
      });
      ctx.status = 201;
      const [view] = await loadFeedbackViews(db, [feedback]);
      ctx.body = presentFeedback(view!);
    });
}
