/**
 * WebRTC configuration for clients: the STUN servers, and TURN servers with time-limited
 * credentials per the TURN REST API convention (coturn `use-auth-secret`): the username is
 * `<expiry unix time>:<user id>`, the credential base64(HMAC-SHA1(secret, username)), so the TURN
 * server checks them with the shared secret alone and they stop working at the expiry.
 */
import crypto from 'node:crypto';
import type { Config } from '../config.ts';

export function turnCredentials(secret: string, userId: number, expiresAt: number): { username: string; credential: string } {
  const username = `${expiresAt}:${userId}`;
  return { username, credential: crypto.createHmac('sha1', secret).update(username).digest('base64') };
}

export interface IceSettings {
  stunUrls: string[];
  /** TURN servers with credentials for one user, or null when no TURN server is configured. */
  turn: { urls: string[]; username: string; credential: string; ttlSeconds: number } | null;
}

/** Empty without STUN_URLS and TURN_URLS: peers on one network (or loopback) need no ICE server. */
export function iceSettingsFor(config: Pick<Config, 'stunUrls' | 'turn'>, userId: number, now = new Date()): IceSettings {
  if (!config.turn.urls.length) return { stunUrls: config.stunUrls, turn: null };
  const expiresAt = Math.floor(now.getTime() / 1000) + config.turn.ttlSeconds;
  return {
    stunUrls: config.stunUrls,
    turn: { urls: config.turn.urls, ...turnCredentials(config.turn.secret, userId, expiresAt), ttlSeconds: config.turn.ttlSeconds },
  };
}
