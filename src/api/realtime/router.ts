/**
 * The HTTP side of `/ws` (operation `openWebSocket`). Upgrade requests never reach Koa: the hub
 * answers them in the server's `upgrade` event. What arrives here is a plain GET, told how to
 * connect instead.
 */
import { ApiError } from '../../errors.ts';
import type { ApiRoutes } from '../route.ts';

export function registerRealtimeRoutes(routes: ApiRoutes): void {
  routes.on('openWebSocket', () => {
    throw new ApiError(
      426,
      'upgrade_required',
      'Upgrade required',
      'This is the WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket), sending the access token as `Sec-WebSocket-Protocol: bearer, <token>`.',
      { headers: { Upgrade: 'websocket' } },
    );
  });
}
