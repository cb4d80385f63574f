import { describe, expect, it } from 'vitest';
import { clientAddress, compileTrustProxy, normaliseAddress, resolveClientAddress, setClientAddress, trustProxyFromEnv } from './client-address.js';
import { FaasportError, invalidEventField } from './errors.js';

describe('compileTrustProxy', () => {
  it('trusts nobody when unset, 0, empty or "false"', () => {
    for (const spec of [undefined, 0, '0', '', ' , ', 'false', []]) expect(compileTrustProxy(spec as never, 'test')).toBeUndefined();
  });

  it('counts hops from the function: 1 trusts only the proxy that connects', () => {
    const trust = compileTrustProxy(1, 'test')!;
    expect(trust('10.0.0.1', 0)).toBe(true);
    expect(trust('10.0.0.1', 1)).toBe(false);
    expect(compileTrustProxy('2', 'test')!('1.2.3.4', 1)).toBe(true);
  });

  it('matches addresses, CIDR ranges and the named ranges, IPv4 and IPv6', () => {
    const trust = compileTrustProxy('loopback, 10.0.0.0/8, 2001:db8::/32, 192.0.2.5', 'test')!;
    for (const yes of ['127.0.0.1', '127.9.9.9', '::1', '10.255.0.1', '2001:db8::7', '192.0.2.5']) expect(trust(yes, 3), yes).toBe(true);
    for (const no of ['11.0.0.1', '192.0.2.6', '2001:db9::1', 'not-an-ip', '']) expect(trust(no, 0), no).toBe(false);
    // A dual-stack socket's peer and Azure's ip:port are the same addresses.
    expect(trust('::ffff:127.0.0.1', 0)).toBe(true);
    expect(trust('10.1.2.3:50123', 0)).toBe(true);
    expect(trust('::ffff:11.0.0.1', 0)).toBe(false);
    const lan = compileTrustProxy(['uniquelocal', 'linklocal'], 'test')!;
    for (const yes of ['172.16.0.1', '172.31.255.255', '192.168.1.1', 'fd00::1', '169.254.169.254', 'fe80::1']) expect(lan(yes, 0), yes).toBe(true);
    expect(lan('172.32.0.1', 0)).toBe(false);
  });

  it.each([
    ['10.0.0.0/33', /"10\.0\.0\.0\/33" is not an IP address, a CIDR range or one of loopback/],
    ['lo0pback', /"lo0pback" is not an IP address/],
    ['1.2.3.4/8/9', /"1\.2\.3\.4\/8\/9"/],
    [33, /hops must be an integer from 0 to 32, got 33/],
    [1.5, /hops must be an integer from 0 to 32, got 1\.5/],
  ])('refuses %j with CONFIG_INVALID naming the entry and the fix', (spec, message) => {
    let caught: unknown;
    try {
      compileTrustProxy(spec as never, 'faasport dev --trust-proxy');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FaasportError);
    expect((caught as FaasportError).code).toBe('CONFIG_INVALID');
    expect((caught as Error).message).toMatch(/^faasport dev --trust-proxy: /);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toMatch(/give a number of hops/);
  });

  it('reads FAASPORT_TRUST_PROXY and names it when it is wrong', () => {
    expect(trustProxyFromEnv({}, 'registerGcp')).toBeUndefined();
    expect(trustProxyFromEnv({ FAASPORT_TRUST_PROXY: '1' }, 'registerGcp')!('1.1.1.1', 0)).toBe(true);
    expect(() => trustProxyFromEnv({ FAASPORT_TRUST_PROXY: 'yes' }, 'registerGcp')).toThrow(/registerGcp \(FAASPORT_TRUST_PROXY\): "yes"/);
  });
});

describe('invalidEventField', () => {
  it('names the operation, the path or the whole, the type seen (never the value) and the hint', () => {
    const e = invalidEventField('reading dead letters', 'attributes.x', 'a string', { secret: 's3cr3t' }, { hint: 'the client returns one' });
    expect(e).toMatchObject({ code: 'EVENT_INVALID', status: 400, details: { path: 'attributes.x' } });
    expect(e.message).toBe('reading dead letters: attributes.x must be a string, got object; the client returns one');
    expect(invalidEventField('op', '', 'an object', null, { whole: 'the message' }).message).toBe('op: the message must be an object, got null');
  });
});

describe('normaliseAddress', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    [' 203.0.113.7:52311 ', '203.0.113.7'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['[::1]', '::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['unknown', undefined],
    ['_hidden', undefined],
    ['1.2.3.4.5', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (raw, expected) => expect(normaliseAddress(raw)).toBe(expected));
});

describe('resolveClientAddress', () => {
  const one = compileTrustProxy(1, 'test');
  const loopback = compileTrustProxy('loopback', 'test');

  it('is the peer when nobody is trusted, whatever the client wrote', () => {
    expect(resolveClientAddress('::ffff:198.51.100.9', '6.6.6.6', undefined)).toBe('198.51.100.9');
    expect(resolveClientAddress(undefined, '6.6.6.6', undefined)).toBeUndefined();
  });

  it('takes the entry the trusted proxy appended, never the ones the client sent before it', () => {
    expect(resolveClientAddress('10.0.0.1', '6.6.6.6, 7.7.7.7, 203.0.113.7', one)).toBe('203.0.113.7');
    expect(resolveClientAddress(undefined, '6.6.6.6,203.0.113.7:4711', one)).toBe('203.0.113.7');
  });

  it('walks through every trusted proxy and stops at the first untrusted address', () => {
    expect(resolveClientAddress('127.0.0.1', '6.6.6.6, 203.0.113.7, 127.0.0.2, ::1', loopback)).toBe('203.0.113.7');
    expect(resolveClientAddress('127.0.0.1', '127.0.0.5', loopback)).toBe('127.0.0.5');
  });

  it('ignores forwarding headers from a peer that is not a trusted proxy', () => {
    expect(resolveClientAddress('198.51.100.9', '6.6.6.6', loopback)).toBe('198.51.100.9');
  });

  it('names no one when the chain is garbled where it matters', () => {
    expect(resolveClientAddress('127.0.0.1', '6.6.6.6, nonsense', loopback)).toBeUndefined();
    expect(resolveClientAddress('127.0.0.1', '', loopback)).toBe('127.0.0.1');
    expect(resolveClientAddress('not-an-ip', '6.6.6.6', loopback)).toBeUndefined();
  });
});

describe('clientAddress', () => {
  it('reads what the adapter set, undefined otherwise; the property stays hidden', () => {
    const request = new Request('http://x/');
    expect(clientAddress(request)).toBeUndefined();
    setClientAddress(request, '203.0.113.7');
    expect(clientAddress(request)).toBe('203.0.113.7');
    expect(Object.keys(request)).toEqual([]);
    expect(JSON.stringify({ ...request })).toBe('{}');
  });

  it('a function is worked out once, on first read, and not at all when nobody asks', () => {
    let calls = 0;
    const request = setClientAddress(new Request('http://x/'), () => {
      calls++;
      return '198.51.100.9';
    });
    expect(calls).toBe(0);
    expect(clientAddress(request)).toBe('198.51.100.9');
    expect(clientAddress(request)).toBe('198.51.100.9');
    expect(calls).toBe(1);
  });
});
