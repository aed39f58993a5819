/**
 * Where webhooks may be sent (server-side request forgery protection):
 *
 * - the scheme must be `https:` (`http:` too when WEBHOOK_ALLOW_HTTP=true);
 * - the address dialled must be a public unicast address: loopback, private (RFC 1918, unique
 *   local), link-local, carrier-grade NAT, multicast, unspecified, reserved and the other special
 *   ranges ipaddr.js knows are refused unless WEBHOOK_ALLOW_PRIVATE_NETWORKS=true.
 *
 * A literal IP in the URL is checked at registration (a 400 naming the rule) and again before
 * sending. A host name is checked when the connection is made, on the addresses its lookup
 * returned (`guardedLookup`) and on the socket's remote address once connected, so a name that
 * resolves to a public address at registration and to 127.0.0.1 later (DNS rebinding) is refused.
 */
import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

export interface TargetPolicy {
  allowHttp: boolean;
  allowPrivateNetworks: boolean;
}

export interface Refusal {
  /** Stable, machine-readable: `url_scheme_not_allowed` or `address_not_allowed`. */
  code: 'url_scheme_not_allowed' | 'address_not_allowed' | 'url_invalid';
  message: string;
}

export class SsrfError extends Error {
  override name = 'SsrfError';
  readonly code: Refusal['code'];
  constructor(refusal: Refusal) {
    super(refusal.message);
    this.code = refusal.code;
  }
}

/** The ipaddr.js range of a non-public address (`loopback`, `private`, …), or null when it is public. */
export function nonPublicRange(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return 'invalid';
  }
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

export function addressRefusal(address: string, policy: TargetPolicy): Refusal | null {
  if (policy.allowPrivateNetworks) return null;
  const range = nonPublicRange(address);
  if (!range) return null;
  return {
    code: 'address_not_allowed',
    message: `the address ${address} is ${range}, not a public address (set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it)`,
  };
}

/** The rule `url` breaks before any DNS lookup (scheme, literal address), or null. */
export function urlRefusal(url: string, policy: TargetPolicy): Refusal | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { code: 'url_invalid', message: 'must be an absolute URL' };
  }
  if (parsed.username || parsed.password) return { code: 'url_invalid', message: 'must not carry a user name or password' };
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && policy.allowHttp)) {
    return {
      code: 'url_scheme_not_allowed',
      message: policy.allowHttp ? 'must use https: or http:' : 'must use https: (set WEBHOOK_ALLOW_HTTP=true to allow http:)',
    };
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) return addressRefusal(host, policy);
  return null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request / net.connect that resolves as usual and then refuses the result
 * when it holds a non-public address, so the connection is never attempted.
 */
export function guardedLookup(policy: TargetPolicy) {
  return function lookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      for (const a of addresses) {
        const refusal = addressRefusal(a.address, policy);
        if (refusal) return callback(new SsrfError({ ...refusal, message: `${hostname} resolves to ${refusal.message.slice('the address '.length)}` }), '', 0);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      return callback(null, first.address, first.family);
    });
  };
}
