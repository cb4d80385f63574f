import { describe, expect, it } from 'vitest';
import type { HttpFunctionDefinition } from './definitions.js';
import { allowedMethods, isMethodAllowed, methodNotAllowed, routeNotFound, unsupportedMethod } from './http-methods.js';

const def = (methods: HttpFunctionDefinition['methods']): Pick<HttpFunctionDefinition, 'methods'> => ({ methods });

describe('allowedMethods / isMethodAllowed', () => {
  it.each([
    [['GET'], ['GET', 'HEAD']],
    [['POST'], ['POST']],
    [
      ['GET', 'HEAD', 'POST'],
      ['GET', 'HEAD', 'POST'],
    ],
  ] as const)('%j answers %j', (methods, allowed) => {
    expect(allowedMethods(def([...methods]))).toEqual(allowed);
    for (const m of allowed) expect(isMethodAllowed(def([...methods]), m.toLowerCase())).toBe(true);
    expect(isMethodAllowed(def([...methods]), 'DELETE')).toBe(false);
  });

  it("'*' answers every method", () => {
    expect(allowedMethods(def('*'))).toContain('OPTIONS');
    expect(isMethodAllowed(def('*'), 'PATCH')).toBe(true);
  });
});

describe('methodNotAllowed', () => {
  it('is a 405 naming the allowed methods, with a clipped path', async () => {
    const res = methodNotAllowed(def(['GET']), 'DELETE', `/x/${'a'.repeat(500)}`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    const body = (await res.json()) as { error: string; code: string };
    expect(body.code).toBe('METHOD_NOT_ALLOWED');
    expect(body.error.length).toBeLessThan(300);
  });
});

describe('methodNotAllowed over several functions on one route', () => {
  it('lists every method any of them takes, once, with HEAD beside GET', async () => {
    const res = methodNotAllowed([def(['GET']), def(['POST', 'GET'])], 'DELETE', '/orders');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(await res.json()).toEqual({ error: 'method DELETE is not allowed on /orders; allowed: GET, HEAD, POST', code: 'METHOD_NOT_ALLOWED' });
  });
});

describe('unsupportedMethod', () => {
  it.each(['CONNECT', 'TRACE', 'TRACK', 'trace'])('%s gets 501 METHOD_NOT_SUPPORTED', async (method) => {
    const res = unsupportedMethod(method)!;
    expect(res.status).toBe(501);
    expect(await res.json()).toMatchObject({ code: 'METHOD_NOT_SUPPORTED' });
  });

  it.each(['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'TRACES'])('%s is left to the function', (method) => {
    expect(unsupportedMethod(method)).toBeUndefined();
  });
});

describe('routeNotFound', () => {
  it('answers 404 JSON naming the method and a clipped path', async () => {
    const res = routeNotFound('GET', `/${'x'.repeat(300)}`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: string; code: string };
    expect(body.code).toBe('NOT_FOUND');
    expect(body.error.length).toBeLessThan(240);
  });
});
