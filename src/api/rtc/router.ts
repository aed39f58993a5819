/** /api/rtc/config/: ICE servers for RTCPeerConnection, with TURN credentials when configured. */
import type { ApiRoutes } from '../route.ts';
import { currentUser } from '../../middleware/authenticate.ts';
import { presentRtcConfig } from '../../presenters/rtc.ts';
import { iceSettingsFor } from '../../services/rtc.ts';

export function registerRtcRoutes(routes: ApiRoutes): void {
  routes.on('getRtcConfig', (ctx) => {
    const user = currentUser(ctx);
    // The answer carries credentials made for this user: never store it in a shared cache.
    ctx.set('Cache-Control', 'no-store');
    ctx.body = presentRtcConfig(iceSettingsFor(ctx.deps.config, user.id));
  });
}
