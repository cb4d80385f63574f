import assert from 'node:assert/strict';
import type { ConformanceCase } from './types.js';
import { binaryBody, json, req } from './support.js';

/** The `http` group. HTTP: methods, params, query, headers, cookies, bodies (text, binary, near and over the limit), status codes, 404. */
export const httpCases: readonly ConformanceCase[] = [
  ...(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).map<ConformanceCase>((method) => ({
    group: 'http',
    name: `method ${method} reaches the handler`,
    async run({ driver }) {
      const body = method === 'GET' ? undefined : JSON.stringify({ m: method });
      const res = await driver.fetch(req('/echo/m', { method, ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}) }));
      assert.equal(res.status, 200);
      const echo = await json<{ method: string; bodyBase64: string }>(res);
      assert.equal(echo.method, method);
      if (body) assert.equal(Buffer.from(echo.bodyBase64, 'base64').toString(), body);
    },
  })),
  {
    group: 'http',
    name: 'route params are decoded onto ctx.params',
    async run({ driver }) {
      const res = await driver.fetch(req('/users/ada%20lovelace/items/42'));
      assert.equal(res.status, 200);
      assert.deepEqual(await json(res), { params: { user: 'ada lovelace', item: '42' } });
    },
  },
  {
    group: 'http',
    name: 'repeated query keys keep every value in order, decoded once',
    async run({ driver }) {
      const res = await driver.fetch(req('/echo/q?tag=a&tag=b&tag=c%20d&plus=1%2B1&empty='));
      const echo = await json<{ query: [string, string][] }>(res);
      assert.deepEqual(echo.query, [
        ['tag', 'a'],
        ['tag', 'b'],
        ['tag', 'c d'],
        ['plus', '1+1'],
        ['empty', ''],
      ]);
    },
  },
  {
    group: 'http',
    name: 'repeated request headers arrive combined in order',
    async run({ driver }) {
      const headers = new Headers();
      headers.append('x-conf-repeat', 'first');
      headers.append('x-conf-repeat', 'second');
      const echo = await json<{ headers: Record<string, string> }>(await driver.fetch(req('/echo/h', { headers })));
      assert.equal(echo.headers['x-conf-repeat'], 'first, second');
    },
  },
  {
    group: 'http',
    name: 'request cookies reach the handler',
    async run({ driver }) {
      const echo = await json<{ cookie: string }>(await driver.fetch(req('/echo/c', { headers: { cookie: 'a=1; b=two' } })));
      assert.equal(echo.cookie, 'a=1; b=two');
    },
  },
  {
    group: 'http',
    name: 'response Set-Cookie headers stay separate (dates with commas intact)',
    async run({ driver }) {
      const res = await driver.fetch(req('/cookies'));
      assert.deepEqual(res.headers.getSetCookie(), [
        'session=abc123; Path=/; HttpOnly; Secure; SameSite=Lax',
        'theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/',
        'token=eyJhbGciOiJIUzI1NiJ9.e30=; Path=/; Secure',
      ]);
      assert.equal(res.headers.get('x-conf-multi'), 'one, two');
    },
  },
  {
    group: 'http',
    name: 'unicode JSON body round-trips',
    async run({ driver }) {
      const text = 'héllo wörld — 你好 — 🚀';
      const res = await driver.fetch(req('/echo/u', { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text }));
      const echo = await json<{ bodyBase64: string }>(res);
      assert.equal(Buffer.from(echo.bodyBase64, 'base64').toString('utf8'), text);
      const out = await json<{ text: string; emoji: string }>(await driver.fetch(req('/unicode')));
      assert.deepEqual(out, { text, emoji: '👩‍💻' });
    },
  },
  {
    group: 'http',
    name: 'binary request body arrives byte for byte',
    async run({ driver }) {
      const bytes = binaryBody();
      const res = await driver.fetch(req('/echo/b', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes }));
      const echo = await json<{ bodyBase64: string; bodyLength: number }>(res);
      assert.equal(echo.bodyLength, 256);
      assert.deepEqual(new Uint8Array(Buffer.from(echo.bodyBase64, 'base64')), bytes);
    },
  },
  {
    group: 'http',
    name: 'binary response body arrives byte for byte',
    async run({ driver }) {
      const res = await driver.fetch(req('/binary'));
      assert.equal(res.headers.get('content-type'), 'image/png');
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(bytes.length, 256);
      bytes.forEach((b, i) => assert.equal(b, i));
    },
  },
  ...[200, 201, 204, 301, 400, 404, 418, 503].map<ConformanceCase>((code) => ({
    group: 'http',
    name: `status ${code} is returned as is`,
    async run({ driver }) {
      const res = await driver.fetch(req(`/status/${code}`, { redirect: 'manual' }));
      assert.equal(res.status, code);
      assert.equal(res.headers.get('x-conf-status'), String(code));
      if (code !== 204) assert.equal(await res.text(), `status ${code}`);
    },
  })),
  {
    group: 'http',
    name: 'a body near the platform limit is accepted',
    async run({ driver, capabilities }) {
      // Base64 transports (Lambda) inflate by 4/3; stay under the raw limit with room for that.
      const size = Math.floor((capabilities.maxHttpBodyBytes * 0.7) / 1024) * 1024;
      const body = new Uint8Array(size).fill(97);
      const res = await driver.fetch(req('/echo/big', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body }));
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal((await json<{ bodyLength: number }>(res)).bodyLength, size);
    },
  },
  {
    group: 'http',
    name: 'a body over the platform limit gets 413 with a typed error',
    async run({ driver, capabilities }) {
      const body = new Uint8Array(capabilities.maxHttpBodyBytes + 1024).fill(98);
      const res = await driver.fetch(req('/echo/huge', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body }));
      assert.equal(res.status, 413);
      assert.equal((await json<{ code: string }>(res)).code, 'PAYLOAD_TOO_LARGE');
    },
  },
  {
    group: 'http',
    name: 'unknown route answers 404 JSON',
    async run({ driver }) {
      const res = await driver.fetch(req('/no/such/route'));
      assert.equal(res.status, 404);
      assert.ok((await json<{ error: string }>(res)).error);
    },
  },
];
