import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { installLightResponse, lightResponseParts } from '../../../src/light-response.js';
import { encodeAlb } from './encode-alb.js';
import { encodeApiGatewayV1 } from './encode-api-gateway-v1.js';
import { encodeApiGatewayV2 } from './encode-api-gateway-v2.js';

let Standard: typeof Response;
let installed = false;
beforeAll(() => {
  Standard = globalThis.Response;
  // FAASPORT_LIGHT_RESPONSE=0: both sides are standard, and must still agree.
  installed = installLightResponse();
});
afterAll(() => {
  globalThis.Response = Standard;
});

type Make = (R: typeof Response) => Response;
const cases: [string, Make][] = [
  ['JSON with a Set-Cookie', (R) => R.json({ hello: 'world' }, { headers: { 'set-cookie': 'seen=1; Path=/; HttpOnly' } })],
  ['text', (R) => new R('héllo', { status: 201, headers: { 'X-Trace': 'a' } })],
  ['bytes of a binary type', (R) => new R(Uint8Array.from([0, 255, 128]), { headers: { 'content-type': 'image/png' } })],
  ['bytes without a type', (R) => new R(Uint8Array.from([104, 105]))],
  ['a text type with a charset that is not UTF-8', (R) => new R('abc', { headers: { 'content-type': 'text/plain; charset=iso-8859-1' } })],
  ['a lone surrogate', (R) => new R('a\ud800b', { headers: { 'content-type': 'text/plain' } })],
  ['an empty body', (R) => new R('', { status: 202 })],
  ['no body', (R) => new R(null, { status: 404 })],
  [
    'headers changed after',
    (R) => {
      const res = R.json([1]);
      res.headers.append('set-cookie', 'a=1');
      res.headers.append('set-cookie', 'b=2');
      res.headers.set('x-late', 'yes');
      return res;
    },
  ],
];

describe('a light Response encodes exactly as the standard one', () => {
  test.each(cases)('%s', async (_name, make) => {
    expect(lightResponseParts(make(Response)) !== undefined).toBe(installed);
    for (const method of ['GET', 'HEAD']) {
      expect(await encodeApiGatewayV2(make(Response), method)).toEqual(await encodeApiGatewayV2(make(Standard), method));
      expect(await encodeApiGatewayV1(make(Response), method)).toEqual(await encodeApiGatewayV1(make(Standard), method));
      for (const multiValue of [true, false]) {
        expect(await encodeAlb(make(Response), { multiValue, method })).toEqual(await encodeAlb(make(Standard), { multiValue, method }));
      }
    }
  });
});
