/**
 * Sockets by the login they were opened with: the refresh-token family (`fam`) of their access
 * token. When a family is revoked on any process (logout, refresh-token reuse: src/auth/
 * revocations.ts), its sockets on this process are closed with 4001, as if their token had
 * expired: a client then refreshes, which fails, and signs in again.
 */
import type { Revocations } from '../auth/revocations.ts';
import type { AccessClaims } from '../auth/tokens.ts';
import { unauthorized } from '../errors.ts';
import type { Connection } from './connection.ts';
import { CloseCode } from './protocol.ts';

export const SIGNED_OUT_REASON = 'access revoked (signed out)';

export class SocketFamilies {
  readonly #byFamily = new Map<string, Set<Connection>>();
  readonly #familyOf = new WeakMap<Connection, string>();
  readonly #stop: () => void;

  constructor(private readonly revocations: Revocations) {
    this.#stop = revocations.onRevoked((family) => {
      for (const conn of this.#byFamily.get(family) ?? []) conn.close(CloseCode.tokenExpired, SIGNED_OUT_REASON);
    });
  }

  /** Whether the token's login was signed out. */
  revoked(claims: AccessClaims): boolean {
    return claims.fam !== undefined && this.revocations.isRevoked(claims.fam);
  }

  /** For the upgrade: a 401 `token_revoked` when the token's login was signed out. */
  assertNotRevoked(claims: AccessClaims): void {
    if (this.revoked(claims)) throw unauthorized('This login was signed out; sign in again.', 'token_revoked');
  }

  /** Files `conn` under its (new) token's family; closes it if that was revoked meanwhile. */
  track(conn: Connection, claims: AccessClaims): void {
    this.untrack(conn);
    if (claims.fam === undefined) return;
    if (this.revocations.isRevoked(claims.fam)) {
      conn.close(CloseCode.tokenExpired, SIGNED_OUT_REASON);
      return;
    }
    let sockets = this.#byFamily.get(claims.fam);
    if (!sockets) this.#byFamily.set(claims.fam, (sockets = new Set()));
    sockets.add(conn);
    this.#familyOf.set(conn, claims.fam);
  }

  untrack(conn: Connection): void {
    const family = this.#familyOf.get(conn);
    if (family === undefined) return;
    this.#familyOf.delete(conn);
    const sockets = this.#byFamily.get(family);
    sockets?.delete(conn);
    if (sockets?.size === 0) this.#byFamily.delete(family);
  }

  stop(): void {
    this.#stop();
  }
}
