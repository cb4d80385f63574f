/**
 * The client address of an HTTP request, the same way on every adapter.
 *
 * A forwarding header (`X-Forwarded-For`, `Forwarded`, `X-Real-IP`, ...) is written by whoever
 * sends the request, so it is believed only when a trusted proxy is configured, and then only
 * as far as the chain of trusted proxies reaches: the list is read from the right (the entry
 * the nearest proxy appended) and the first address that is not a trusted proxy is the client.
 * Without that configuration the address is what the platform itself saw: the socket peer
 * (local, gcp), API Gateway's `sourceIp` or the entry ALB appended (aws), or nothing (azure,
 * whose host hands over no peer address).
 */

import { BlockList, isIP } from 'node:net';
import { FaasportError } from './errors.js';

const CLIENT_ADDRESS = Symbol.for('faasport.clientIp');

/**
 * Which proxies in front of the function may be believed about the client address:
 * - a number of hops: `1` trusts the one proxy that connects to the function (a platform
 *   front end such as Google's), `2` that one and the one before it;
 * - addresses and CIDR ranges, and the names `loopback`, `linklocal` and `uniquelocal`
 *   (private networks), as an array or one comma-separated string (`"loopback, 10.0.0.0/8"`).
 *
 * `FAASPORT_TRUST_PROXY` in the environment takes the same forms.
 */
export type TrustProxy = number | string | readonly string[];

/** A compiled {@link TrustProxy}: is the proxy at this address, `hop` steps from the function, trusted? */
export type ProxyTrust = (address: string | undefined, hop: number) => boolean;

const NAMED: Record<string, readonly string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/**
 * Compiles a {@link TrustProxy} setting; undefined, `0`, `""` and `"false"` trust nobody.
 * Throws CONFIG_INVALID naming the bad entry.
 *
 * @example
 * ```ts
 * const trust = compileTrustProxy('loopback, 10.0.0.0/8', 'faasport dev --trust-proxy');
 * ```
 */
export function compileTrustProxy(spec: TrustProxy | undefined, operation: string): ProxyTrust | undefined {
  if (spec === undefined) return undefined;
  const fix = 'give a number of hops (1 = the proxy that connects to the function) or addresses / CIDR ranges / loopback, linklocal, uniquelocal';
  if (typeof spec === 'string' && /^\s*\d+\s*$/.test(spec)) spec = Number(spec);
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < 0 || spec > 32) {
      throw new FaasportError('CONFIG_INVALID', `${operation}: trusted proxy hops must be an integer from 0 to 32, got ${spec}; ${fix}`);
    }
    if (spec === 0) return undefined;
    const hops = spec;
    return (_address, hop) => hop < hops;
  }
  const entries = (typeof spec === 'string' ? spec.split(',') : [...spec]).map((s) => String(s).trim()).filter((s) => s !== '');
  if (entries.length === 0 || (entries.length === 1 && entries[0] === 'false')) return undefined;
  const list = new BlockList();
  for (const entry of entries) {
    for (const range of NAMED[entry] ?? [entry]) {
      const [address, prefix, extra] = range.split('/');
      const family = isIP(address ?? '');
      const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
      if (family === 0 || extra !== undefined || !/^\d{1,3}$/.test(String(bits)) || bits > (family === 6 ? 128 : 32)) {
        throw new FaasportError(
          'CONFIG_INVALID',
          `${operation}: "${entry}" is not an IP address, a CIDR range or one of loopback, linklocal, uniquelocal; ${fix}`,
        );
      }
      list.addSubnet(address!, bits, family === 6 ? 'ipv6' : 'ipv4');
    }
  }
  return (address) => {
    if (address === undefined) return true;
    // As platforms write it: a dual-stack socket's ::ffff:127.0.0.1 is 127.0.0.1, Azure's ip:port an ip.
    const plain = normaliseAddress(address);
    if (plain === undefined) return false;
    return list.check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4');
  };
}

/**
 * Normalises one address as platforms write it: `1.2.3.4:5678` (Azure), `[::1]:80`,
 * `::ffff:1.2.3.4` (a dual-stack socket). Undefined when it is not an IP address.
 */
export function normaliseAddress(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^[\d.]+:\d{1,5}$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  if (value.toLowerCase().startsWith('::ffff:') && isIP(value.slice(7)) === 4) value = value.slice(7);
  return isIP(value) === 0 ? undefined : value;
}

/**
 * The client address of a request that arrived from `peer` with this `X-Forwarded-For`
 * value. Without `trust` it is the peer. With it, the chain is walked from the peer
 * leftwards while each hop is a trusted proxy; the first untrusted address is the client.
 * An entry that is not an IP address ends the walk with undefined: a garbled chain names
 * no one. `peer` undefined stands for a platform host that gives no address (azure).
 */
export function resolveClientAddress(peer: string | undefined, forwardedFor: string | null | undefined, trust: ProxyTrust | undefined): string | undefined {
  const direct = normaliseAddress(peer);
  if (!trust || !forwardedFor || (peer !== undefined && direct === undefined)) return direct;
  if (!trust(direct, 0)) return direct;
  const chain = forwardedFor.split(',');
  for (let i = chain.length - 1, hop = 1; i >= 0; i--, hop++) {
    const address = normaliseAddress(chain[i]);
    if (address === undefined) return undefined;
    if (i === 0 || !trust(address, hop)) return address;
  }
  return undefined;
}

/**
 * The client address the adapter established for this request (see {@link TrustProxy}), or
 * undefined when the platform gave none.
 *
 * @example
 * ```ts
 * import { clientAddress } from 'faasport';
 * app.http('whoami', { route: '/whoami' }, (req) => Response.json({ ip: clientAddress(req) ?? null }));
 * ```
 */
export function clientAddress(request: Request): string | undefined {
  return (request as unknown as Record<symbol, string | undefined>)[CLIENT_ADDRESS];
}

/**
 * For adapter authors: records the client address on the Request a handler will get. Pass a
 * function to have it worked out only if the handler asks (most never do).
 */
export function setClientAddress<R extends Request>(request: R, address: string | undefined | (() => string | undefined)): R {
  if (typeof address === 'function') {
    let resolved: string | undefined | null = null;
    Object.defineProperty(request, CLIENT_ADDRESS, {
      get: () => (resolved === null ? (resolved = address()) : resolved),
      enumerable: false,
      configurable: true,
    });
  } else if (address !== undefined) {
    Object.defineProperty(request, CLIENT_ADDRESS, { value: address, enumerable: false, configurable: true });
  }
  return request;
}

/** The trusted-proxy setting from `FAASPORT_TRUST_PROXY`, compiled (undefined when unset). */
export function trustProxyFromEnv(env: NodeJS.ProcessEnv, operation: string): ProxyTrust | undefined {
  const value = env.FAASPORT_TRUST_PROXY;
  return value === undefined ? undefined : compileTrustProxy(value, `${operation} (FAASPORT_TRUST_PROXY)`);
}
