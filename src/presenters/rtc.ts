/** RTC configuration presenter: the ICE servers a client passes to RTCPeerConnection. */
import type { Schema } from '../contract/types.ts';

/** What the presenter needs (built by `iceSettingsFor`, src/services/rtc.ts). */
export interface IceServersView {
  stunUrls: string[];
  turn: { urls: string[]; username: string; credential: string; ttlSeconds: number } | null;
}

export function presentRtcConfig({ stunUrls, turn }: IceServersView): Schema<'RtcConfig'> {
  const iceServers: Schema<'IceServer'>[] = [];
  if (stunUrls.length) iceServers.push({ urls: stunUrls });
  if (!turn) return { iceServers, ttl: null };
  iceServers.push({ urls: turn.urls, username: turn.username, credential: turn.credential });
  return { iceServers, ttl: turn.ttlSeconds };
}
