/**
 * WebRTC configuration for clients: the STUN servers, and TURN servers with time-limited
 * credentials per the TURN REST API convention (coturn `use-auth-secret`): the username is
 * `<expiry unix time>:<user id>`, the credential base64(HMAC-SHA1(secret, username)), so the TURN
 * server checks them with the shared secret alone and they stop working at the expiry.
 */
import crypto from 'node:crypto';
import type { Schema } from '../api/types.ts';
import type { Config } from '../config.ts';

export function turnCredentials(secret: string, userId: number, expiresAt: number): { username: string; credential: string } {
  const username = `${expiresAt}:${userId}`;
  return { username, credential: crypto.createHmac('sha1', secret).update(username).digest('base64') };
}

/** Empty without STUN_URLS and TURN_URLS: peers on one network (or loopback) need no ICE server. */
export function rtcConfigFor(config: Pick<Config, 'stunUrls' | 'turn'>, userId: number, now = new Date()): Schema<'RtcConfig'> {
  const iceServers: Schema<'IceServer'>[] = [];
  if (config.stunUrls.length) iceServers.push({ urls: config.stunUrls });
  if (!config.turn.urls.length) return { iceServers, ttl: null };
  const expiresAt = Math.floor(now.getTime() / 1000) + config.turn.ttlSeconds;
  iceServers.push({ urls: config.turn.urls, ...turnCredentials(config.turn.secret, userId, expiresAt) });
  return { iceServers, ttl: config.turn.ttlSeconds };
}
