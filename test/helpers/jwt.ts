/** Hand-made access-token claims and JWT pieces for the token tests (test/api/auth.test.ts, test/hardening/jwt.test.ts). */
import crypto from 'node:crypto';
import type { User } from '../../src/models/index.ts';
import type { TestServer } from './server.ts';

/** base64url of a JSON value: a JWT header or payload segment. */
export const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The claims of a valid access token for `user` on `server`, valid for five minutes; `over` replaces any of them. */
export function accessClaims(server: TestServer, user: Pick<User, 'id' | 'role'>, over: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: String(user.id),
    role: user.role,
    iss: server.config.jwt.issuer,
    aud: server.config.jwt.audience,
    iat: now,
    exp: now + 300,
    jti: crypto.randomUUID(),
    ...over,
  };
}
