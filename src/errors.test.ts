import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaasportError, NON_ERROR_PREVIEW_CHARS, redactedError, safeStack, summariseError } from './errors.js';
import { resetSecretRedaction } from './redact-secrets.js';

const SECRET = 'sk_live/+=Q8x2Lm0Pz';
const saved = process.env.FAASPORT_TEST_STRIPE_SECRET;
beforeAll(() => {
  process.env.FAASPORT_TEST_STRIPE_SECRET = SECRET;
  resetSecretRedaction();
});
afterAll(() => {
  if (saved === undefined) delete process.env.FAASPORT_TEST_STRIPE_SECRET;
  else process.env.FAASPORT_TEST_STRIPE_SECRET = saved;
  resetSecretRedaction();
});

describe('summariseError', () => {
  it('redacts secrets of the environment in the message and keeps the rest, name and code', () => {
    const err = new FaasportError('SEND_FAILED', `charge for ada failed with key ${SECRET}`);
    expect(summariseError(err)).toEqual({ name: 'FaasportError', message: 'charge for ada failed with key [redacted]', code: 'SEND_FAILED' });
  });

  it.each<[string, unknown, string]>([
    ['a string', `token ${SECRET} rejected`, 'a string was thrown: token [redacted] rejected'],
    ['an object', { status: 401, key: SECRET }, 'a non-Error object was thrown: {"status":401,"key":"[redacted]"}'],
    ['an array', ['a', SECRET], 'a non-Error array was thrown: ["a","[redacted]"]'],
    ['a number', 42, 'a number was thrown: 42'],
    ['a bigint', 10n, 'a bigint was thrown: "10"'],
    ['undefined', undefined, 'undefined was thrown instead of an Error'],
    ['null', null, 'null was thrown instead of an Error'],
    ['a function', () => SECRET, 'a function was thrown instead of an Error'],
  ])('summarises %s thrown instead of an Error: type and a redacted preview', (_what, thrown, message) => {
    expect(summariseError(thrown)).toEqual({ name: 'NonError', message });
  });

  it(`bounds the preview of a large non-Error at ${NON_ERROR_PREVIEW_CHARS} characters, redacting a secret that straddles the cut`, () => {
    const thrown = { pad: 'x'.repeat(NON_ERROR_PREVIEW_CHARS - 20), key: SECRET, more: 'y'.repeat(100_000) };
    const { message } = summariseError(thrown);
    expect(message.length).toBeLessThan(NON_ERROR_PREVIEW_CHARS + 40);
    expect(message.endsWith('…')).toBe(true);
    expect(message).not.toContain(SECRET.slice(0, 8));
  });

  it('a cyclic object is summarised without throwing', () => {
    const thrown: Record<string, unknown> = { a: 1 };
    thrown.self = thrown;
    expect(summariseError(thrown)).toEqual({ name: 'NonError', message: 'a non-Error object was thrown: [object Object]' });
  });
});

describe('safeStack and redactedError', () => {
  it('safeStack redacts its first line', () => {
    expect(safeStack(new Error(`bad key ${SECRET}`))![0]).toBe('Error: bad key [redacted]');
  });

  it('redactedError keeps an error without secrets as it is, and copies one with secrets, name and code kept, cause dropped', () => {
    const clean = new Error('plain failure');
    expect(redactedError(clean)).toBe(clean);
    const dirty = Object.assign(new TypeError(`bad key ${SECRET}`, { cause: new Error(SECRET) }), { code: 'E_KEY' });
    const copy = redactedError(dirty);
    expect(copy).not.toBe(dirty);
    expect([copy.name, copy.message, (copy as { code?: string }).code, copy.cause]).toEqual(['TypeError', 'bad key [redacted]', 'E_KEY', undefined]);
    expect(copy.stack).toContain('TypeError: bad key [redacted]');
    expect(copy.stack).not.toContain(SECRET);
    expect(redactedError(`raw ${SECRET}`).message).toBe('a string was thrown: raw [redacted]');
  });
});
