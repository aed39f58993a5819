/** /api/sessions/{id}/chat/: a session room's stored chat (messages are sent over the WebSocket). */
import type { ApiRoutes } from '../route.ts';
import { paginate } from '../../lib/pagination.ts';
import { currentUser } from '../../middleware/authenticate.ts';
import { authorize } from '../../policies/index.ts';
import { presentChatMessages } from '../../presenters/chat.ts';
import { chatQuery } from '../../services/chat.ts';
import { loadSessionForUser } from '../../services/sessionAccess.ts';

export function registerChatRoutes(routes: ApiRoutes): void {
  routes.on('listSessionChat', async (ctx, { path, query }) => {
    const user = currentUser(ctx);
    const { db } = ctx.deps;
    const session = await loadSessionForUser(db, user, path.id);
    authorize(user, 'read_chat', session, 'Session');
    ctx.body = await paginate(ctx, chatQuery(db, session.id, query), query, presentChatMessages);
  });
}
