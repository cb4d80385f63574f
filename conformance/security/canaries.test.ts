import { describe, expect, it } from 'vitest';
import { createCanaries, findLeaks } from './canaries.js';

const canaries = createCanaries();
const secret = canaries.authorization;

type Form = readonly [name: string, encode: (s: string) => string];

describe('findLeaks', () => {
  it.each<Form>([
    ['raw', (s) => `Authorization: Bearer ${s}`],
    ['URL-encoded', (s) => `/path?token=${encodeURIComponent(s)}`],
    ['URL-encoded, lower-case escapes', (s) => `/path?token=${encodeURIComponent(s).toLowerCase()}`],
    ['JSON-escaped', (s) => JSON.stringify({ nested: JSON.stringify({ token: s }) })],
    ...[0, 1, 2, 3].map((pad): Form => [`base64 after ${pad} bytes`, (s) => Buffer.from(`${'p'.repeat(pad)}${s}tail`).toString('base64')]),
    ...[0, 1, 2].map((pad): Form => [`base64url after ${pad} bytes`, (s) => Buffer.from(`${'p'.repeat(pad)}${s}`).toString('base64url')]),
  ])('finds a secret %s', (_form, encode) => {
    expect(findLeaks(canaries, 'test', encode(secret)).map((l) => l.place)).toContain('authorization');
  });

  it('finds the short canary raw and in base64', () => {
    expect(findLeaks(canaries, 't', `x ${canaries['short-body']} y`)).not.toEqual([]);
    expect(findLeaks(canaries, 't', Buffer.from(`ab${canaries['short-body']}`).toString('base64'))).not.toEqual([]);
  });

  it('reports nothing for text without a canary', () => {
    expect(findLeaks(canaries, 't', 'Bearer cnry.auth.000000000000000000/+= and base64 Y25yeS5hdXRo')).toEqual([]);
  });
});
