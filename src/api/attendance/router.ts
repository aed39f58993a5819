/** /api/sessions/{id}/attendance/: who came to the live class and for how long (mentor, admins). */
import type { ApiRoutes } from '../route.ts';
import { currentUser } from '../../middleware/authenticate.ts';
import { authorize } from '../../policies/index.ts';
import { presentSessionAttendance } from '../../presenters/attendance.ts';
import { sessionAttendance } from '../../views/attendance.ts';
import { loadSessionForUser } from '../../services/sessionAccess.ts';

export function registerAttendanceRoutes(routes: ApiRoutes): void {
  routes.on('getSessionAttendance', async (ctx, { path }) => {
    const user = currentUser(ctx);
    const { dbRead } = ctx.deps;
    const session = await loadSessionForUser(dbRead, user, path.id);
    authorize(user, 'read_attendance', session, 'Session');
    ctx.body = presentSessionAttendance(session, await sessionAttendance(dbRead, session.id));
  });
}
