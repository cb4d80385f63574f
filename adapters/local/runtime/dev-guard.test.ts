import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { allowedHosts, carriesToken, createDevGuard, createDevToken, isLoopbackHost } from './dev-guard.js';

const at = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Request => new Request(`http://127.0.0.1:3000${path}`, init);

describe('createDevGuard', () => {
  const guard = createDevGuard({ host: '127.0.0.1', port: 3000 });

  it("leaves the app's own routes alone, whatever they carry", () => {
    expect(
      guard(at('/orders', { method: 'POST', headers: { host: 'evil.example', origin: 'http://evil.example', 'content-type': 'text/plain' }, body: 'x' })),
    ).toBeUndefined();
  });

  it.each([['localhost:3000'], ['127.0.0.1:3000'], ['[::1]:3000'], ['LOCALHOST:3000']])('lets Host %s through', (host) => {
    expect(guard(at('/_faasport/queues', { headers: { host } }))).toBeUndefined();
  });

  it.each([['evil.example:3000'], ['127.0.0.1:3001'], ['localhost'], ['127.0.0.1.evil.example:3000']])('answers 421 to Host %s', (host) => {
    expect(guard(at('/_faasport/queues', { headers: { host } }))?.status).toBe(421);
  });

  it.each([
    ['text/plain', 403],
    ['Text/Plain; charset=utf-8', 403],
    ['application/x-www-form-urlencoded', 403],
    ['multipart/form-data; boundary=x', 403],
    ['application/json', undefined],
    ['application/octet-stream', undefined],
  ])('a POST, PUT or DELETE with Content-Type %s: %s', (type, status) => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      expect(guard(at('/_faasport/events', { method, headers: { 'content-type': type }, body: '{}' }))?.status).toBe(status);
    }
  });

  it('a GET with a form content type reads nothing it could change, and passes', () => {
    expect(guard(at('/_faasport/queues', { headers: { 'content-type': 'text/plain' } }))).toBeUndefined();
  });

  it.each([
    [{ origin: 'http://evil.example' }, 403],
    [{ origin: 'null' }, 403],
    [{ origin: 'https://127.0.0.1:3000' }, 403],
    [{ origin: 'http://127.0.0.1:3000' }, undefined],
    [{ 'sec-fetch-site': 'cross-site' }, 403],
    [{ 'sec-fetch-site': 'same-site' }, 403],
    [{ 'sec-fetch-site': 'same-origin' }, undefined],
    [{ 'sec-fetch-site': 'none' }, undefined],
  ])('a request with %o: %s', (headers, status) => {
    expect(guard(at('/_faasport/queues', { headers }))?.status).toBe(status);
  });

  it('refuses everything until the server knows its port', () => {
    const early = createDevGuard({ host: '127.0.0.1', port: () => -1 });
    expect(early(at('/_faasport/queues', { headers: { host: '127.0.0.1:3000' } }))?.status).toBe(421);
  });

  it('asks for the token where requireToken says so, and nowhere else', async () => {
    const token = createDevToken();
    const guarded = createDevGuard({ host: '127.0.0.1', port: 3000, token, requireToken: (_r, path) => path === '/2015-03-31/functions' });
    const refused = guarded(at('/2015-03-31/functions'));
    expect(refused?.status).toBe(401);
    expect(await refused!.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect(guarded(at('/2015-03-31/functions', { headers: { 'x-faasport-token': token } }))).toBeUndefined();
    expect(guarded(at('/_faasport/queues'))).toBeUndefined();
  });
});

describe('carriesToken', () => {
  const token = createDevToken();
  it.each([
    [{ 'x-faasport-token': token }, true],
    [{ authorization: `Bearer ${token}` }, true],
    [{ authorization: `AWS4-HMAC-SHA256 Credential=${token}/20261204/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00` }, true],
    [{ authorization: 'AWS4-HMAC-SHA256 Credential=AKIDOTHER/20261204/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00' }, false],
    [{ authorization: `Basic ${token}` }, false],
    [{ 'x-faasport-token': token.slice(0, -1) }, false],
    [{}, false],
  ])('%o → %s', (headers, expected) => {
    expect(carriesToken(at('/', { headers }), token)).toBe(expected);
  });

  it('tokens are fresh per run and fit a SigV4 access key id', () => {
    expect(createDevToken()).not.toBe(token);
    expect(token).toMatch(/^FPDEV[0-9A-F]{32}$/);
  });
});

describe('isLoopbackHost and allowedHosts', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.5.6.7', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.5', false],
    ['devbox.local', false],
    ['127.1', false],
  ])('%s is loopback: %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it('a server on every interface answers to each interface address, IPv6 in brackets', () => {
    const hosts = allowedHosts('0.0.0.0', 8080);
    expect(hosts).toContain('0.0.0.0:8080');
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) {
        const name = a.address.replace(/%.*$/, '').toLowerCase();
        expect(hosts).toContain(a.family === 'IPv6' ? `[${name}]:8080` : `${name}:8080`);
      }
    }
  });

  it('port 80 may be left out of the Host header', () => {
    expect(allowedHosts('devbox.local', 80)).toEqual(
      new Set(['localhost:80', 'localhost', '127.0.0.1:80', '127.0.0.1', '[::1]:80', '[::1]', 'devbox.local:80', 'devbox.local']),
    );
  });
});
