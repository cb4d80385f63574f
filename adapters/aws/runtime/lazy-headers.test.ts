import { describe, expect, test, vi } from 'vitest';
import { ApiGatewayV2Request } from './decode-api-gateway-v2.js';
import { lazyRequestSupported } from './lambda-request.js';
import { LazyHeaders } from './lazy-headers.js';
import { apiGatewayV2Event } from '../testing/events.js';
import type { ApiGatewayV2EventLike } from './types.js';

/** The headers a lazy request gives, and the ones a real Headers built from the same event gives. */
function both(patch: Partial<ApiGatewayV2EventLike>) {
  const event = { ...apiGatewayV2Event(), ...patch } as ApiGatewayV2EventLike;
  const lazy = new ApiGatewayV2Request(event);
  const real = new ApiGatewayV2Request(event).materialise().headers;
  return { lazy: lazy.headers, real };
}

describe('the lazy headers of an HTTP API request', () => {
  test('are lazy where the lazy request is (FAASPORT_LAZY_REQUEST=0 and Node 24 build the real Headers)', () => {
    const { lazy } = both({ headers: { 'x-a': '1' } });
    expect(lazy instanceof LazyHeaders).toBe(lazyRequestSupported());
    expect(lazy).toBeInstanceOf(Headers);
  });

  test.each([
    ['plain names and values', { 'x-request-id': 'r-1', Accept: 'application/json' }, ['session=1', 'theme=dark']],
    ['a value the Fetch API trims', { 'x-pad': '  padded\t' }, undefined],
    ['a value the Fetch API refuses', { 'x-bad': 'a\nb', 'x-ok': 'ok' }, undefined],
    ['one name in two cases', { 'x-twice': 'one', 'X-Twice': 'two' }, undefined],
    ['a cookie header and cookies[]', { cookie: 'from=header' }, ['from=array']],
    ['a cookie outside Latin-1', { cookie: 'from=header' }, ['név=érték€']],
    ['no cookies', { cookie: 'only=header' }, []],
  ] as [string, Record<string, string>, string[] | undefined][])('%s: get, has and iteration answer as the real Headers', (_name, headers, cookies) => {
    const { lazy, real } = both({ headers, ...(cookies ? { cookies } : {}) });
    for (const name of [...Object.keys(headers), 'cookie', 'COOKIE', 'x-absent']) {
      expect(lazy.get(name), name).toBe(real.get(name));
      expect(lazy.has(name), name).toBe(real.has(name));
    }
    expect([...lazy]).toEqual([...real]);
  });

  test('an invalid name throws as the real Headers throws; a change is seen by later reads', () => {
    const { lazy, real } = both({ headers: { 'x-a': '1' } });
    expect(() => lazy.get('bad name')).toThrow(TypeError);
    expect(() => real.get('bad name')).toThrow(TypeError);
    lazy.set('x-a', '2');
    lazy.append('x-new', 'n');
    expect(lazy.get('x-a')).toBe('2');
    expect(lazy.get('x-new')).toBe('n');
    expect(new Headers(lazy).get('x-a')).toBe('2');
  });

  test('a header of the wrong type is EVENT_INVALID when the headers are read, as without lazy headers', () => {
    const event = { ...apiGatewayV2Event(), headers: { 'x-a': 5 } } as unknown as ApiGatewayV2EventLike;
    expect(() => new ApiGatewayV2Request(event).headers).toThrow(expect.objectContaining({ code: 'EVENT_INVALID' }));
  });

  test('the probe runs once on a fresh module, without re-entering itself through the headers it reads', async () => {
    vi.resetModules();
    const fresh = await import('./lambda-request.js');
    const Original = globalThis.Request;
    let made = 0;
    globalThis.Request = new Proxy(Original, {
      construct(target, args, newTarget) {
        made++;
        return Reflect.construct(target, args, newTarget) as object;
      },
    });
    try {
      expect(fresh.lazyRequestSupported()).toBe(lazyRequestSupported());
    } finally {
      globalThis.Request = Original;
    }
    // The probe's own few Requests, not one per nested attempt (thousands, seconds of a cold start).
    expect(made).toBeLessThan(10);
  });
});
