/**
 * JSON Web Tokens, following RFC 8725: one pinned algorithm (HS256), `iss`, `aud`, `exp` and an
 * explicit type. Access and refresh tokens are signed with different keys derived from JWT_SECRET
 * (HKDF), and carry different `typ` headers (`at+jwt` per RFC 9068, `refresh+jwt`), so neither can
 * ever be accepted in place of the other.
 *
 * Keys are `KeyObject`s: given a string, jsonwebtoken tries `createPublicKey()` on every verify
 * (measured ≈ 45× slower).
 */
import crypto, { type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Schema } from '../api/types.ts';
import type { Config } from '../config.ts';

export const ALGORITHM = 'HS256' as const;
export const ACCESS_TYP = 'at+jwt';
export const REFRESH_TYP = 'refresh+jwt';

/**
 * What a user token may do (`UserTokenScope` in openapi.yaml, which the operations' `security`
 * names); a token without `scope` (a password login) is `full`.
 */
export const USER_TOKEN_SCOPES = ['full', 'dashboard', 'booking', 'room'] as const;
export type UserTokenScope = (typeof USER_TOKEN_SCOPES)[number];
/** Fails to compile when the list and the spec's enum differ. */
const sameAsSpec: [UserTokenScope] extends [Schema<'UserTokenScope'>] ? ([Schema<'UserTokenScope'>] extends [UserTokenScope] ? true : never) : never = true;
void sameAsSpec;

export interface AccessClaims {
  sub: string;
  role: string;
  adm?: boolean;
  /** Set on tokens minted for a host platform (src/services/platformUsers.ts). */
  scope?: UserTokenScope;
  /** The session of a `room` token. */
  sid?: number;
  /** The login's refresh-token family (revocations.ts); absent on tokens not issued by a login. */
  fam?: string;
  jti: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string | string[];
}

export interface RefreshClaims {
  sub: string;
  jti: string;
  fam: string;
  iat: number;
  exp: number;
}

export class TokenService {
  readonly accessKey: KeyObject;
  readonly refreshKey: KeyObject;

  constructor(private readonly cfg: Config['jwt']) {
    const derive = (info: string) =>
      crypto.createSecretKey(Buffer.from(crypto.hkdfSync('sha256', cfg.secret, 'mentor-dashboard', info, 32)));
    this.accessKey = derive('access-token');
    this.refreshKey = derive('refresh-token');
  }

  get issuer(): string {
    return this.cfg.issuer;
  }

  get audience(): string {
    return this.cfg.audience;
  }

  get accessTtl(): number {
    return this.cfg.accessTtlSeconds;
  }

  get refreshTtl(): number {
    return this.cfg.refreshTtlSeconds;
  }

  /**
   * An access token. Without options it is a password login's (no `scope` claim, the configured
   * lifetime); a host platform's user token carries its `scope`, the session of a `room` token and
   * its own lifetime. `family` is the login's refresh-token family (revocations.ts).
   */
  signAccess(
    user: { id: number; role: string; is_admin: boolean },
    options: { scope?: UserTokenScope; session?: number; ttlSeconds?: number; family?: string } = {},
  ): string {
    const claims = { role: user.role, adm: user.is_admin || undefined, scope: options.scope, sid: options.session, fam: options.family };
    return jwt.sign(claims, this.accessKey, {
      algorithm: ALGORITHM,
      header: { alg: ALGORITHM, typ: ACCESS_TYP },
      subject: String(user.id),
      issuer: this.cfg.issuer,
      audience: this.cfg.audience,
      expiresIn: options.ttlSeconds ?? this.cfg.accessTtlSeconds,
      jwtid: crypto.randomUUID(),
    });
  }

  /** A refresh token for the row `jti`; `expiresAt` (the row's) when re-issuing an existing one. */
  signRefresh(userId: number, jti: string, family: string, expiresAt?: Date): string {
    const exp = expiresAt ? { exp: Math.floor(expiresAt.getTime() / 1000) } : {};
    return jwt.sign({ fam: family, ...exp }, this.refreshKey, {
      algorithm: ALGORITHM,
      header: { alg: ALGORITHM, typ: REFRESH_TYP },
      subject: String(userId),
      issuer: this.cfg.issuer,
      audience: `${this.cfg.audience}:refresh`,
      ...(expiresAt ? {} : { expiresIn: this.cfg.refreshTtlSeconds }),
      jwtid: jti,
    });
  }

  /** Options for jsonwebtoken/koa-jwt when verifying an access token. */
  accessVerifyOptions(): jwt.VerifyOptions & { algorithms: jwt.Algorithm[] } {
    return { algorithms: [ALGORITHM], issuer: this.cfg.issuer, audience: this.cfg.audience };
  }

  /** Verifies an access token completely (signature, claims, typ). Throws on any problem. */
  verifyAccess(token: string): AccessClaims {
    const decoded = jwt.verify(token, this.accessKey, { ...this.accessVerifyOptions(), complete: true });
    if (decoded.header.typ !== ACCESS_TYP) throw new jwt.JsonWebTokenError('unexpected token type');
    const payload = decoded.payload as AccessClaims;
    if (typeof payload.exp !== 'number' || typeof payload.sub !== 'string') throw new jwt.JsonWebTokenError('missing claims');
    if (!validScopeClaims(payload)) throw new jwt.JsonWebTokenError('invalid scope');
    return payload;
  }

  /** Verifies a refresh token's signature and claims. Throws on any problem. */
  verifyRefresh(token: string): RefreshClaims {
    const decoded = jwt.verify(token, this.refreshKey, {
      algorithms: [ALGORITHM],
      issuer: this.cfg.issuer,
      audience: `${this.cfg.audience}:refresh`,
      complete: true,
    });
    if (decoded.header.typ !== REFRESH_TYP) throw new jwt.JsonWebTokenError('unexpected token type');
    const payload = decoded.payload as RefreshClaims;
    if (typeof payload.jti !== 'string' || typeof payload.fam !== 'string' || typeof payload.exp !== 'number') {
      throw new jwt.JsonWebTokenError('missing claims');
    }
    return payload;
  }
}

/** The header type of a token, without verifying it (used after koa-jwt verified the signature). */
export function tokenHeaderType(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { typ?: string };
    return header.typ;
  } catch {
    return undefined;
  }
}

/** A `scope` claim, when present, is one we issue, and a `room` token names its session. */
export function validScopeClaims(claims: Partial<AccessClaims>): boolean {
  if (claims.scope === undefined) return claims.sid === undefined;
  if (!(USER_TOKEN_SCOPES as readonly string[]).includes(claims.scope)) return false;
  if (claims.scope === 'room') return Number.isSafeInteger(claims.sid) && (claims.sid as number) > 0;
  return claims.sid === undefined;
}

/** The scope a verified token grants (a password login's token is `full`). */
export function tokenScope(claims: Pick<AccessClaims, 'scope'>): UserTokenScope {
  return claims.scope ?? 'full';
}
