/**
 * /api/mentors/: the directory of active mentors and their public profiles, for every signed-in
 * user (the spec's bearer requirement is the only gate; no role or ownership applies).
 */
import type { ApiRoutes } from '../route.ts';
import { notFound } from '../../errors.ts';
import { paginate } from '../../lib/pagination.ts';
import { presentMentorProfile } from '../../presenters/mentor.ts';
import { findActiveMentor, mentorDirectory } from '../../services/profile.ts';
import { loadMentorViews } from '../../views/mentors.ts';

export function registerMentorsRoutes(routes: ApiRoutes): void {
  routes
    .on('listMentors', async (ctx, { query }) => {
      const { db } = ctx.deps;
      ctx.body = await paginate(ctx, mentorDirectory(db, query), query, async (rows) =>
        (await loadMentorViews(db, rows)).map(presentMentorProfile),
      );
    })
    .on('getMentor', async (ctx, { path }) => {
      const { db } = ctx.deps;
      const mentor = await findActiveMentor(db, path.id);
      if (!mentor) throw notFound('Mentor');
      const [view] = await loadMentorViews(db, [mentor]);
      ctx.body = presentMentorProfile(view!);
    });
}
