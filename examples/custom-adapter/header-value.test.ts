import { describe, expect, test } from 'vitest';
import { isFaasportError } from 'faasport';
import { decodeHeaderValue, encodeHeaderValue } from './header-value.js';

describe('ce-* header values (CloudEvents HTTP binding 3.1.3.2)', () => {
  test.each([
    ['the binding example', 'Euro € 😀', 'Euro%20%E2%82%AC%20%F0%9F%98%80'],
    ['printable ASCII stays as is', 'a-b_c.d/e:f?g=h&i', 'a-b_c.d/e:f?g=h&i'],
    ['space, double quote and percent', 'say "100%"', 'say%20%22100%25%22'],
    ['control characters', 'a\tb\nc', 'a%09b%0Ac'],
    ['DEL and C1 controls', '\u007f\u0085', '%7F%C2%85'],
  ])('encodes %s', (_name, value, encoded) => {
    expect(encodeHeaderValue(value)).toBe(encoded);
    expect(decodeHeaderValue('ce-x', encoded, 'test')).toBe(value);
  });

  test.each(['%C0%A0', '%ED%A0%80', '%', '%zz', 'abc%4'])('rejects %s (invalid UTF-8 or broken escape)', (raw) => {
    try {
      decodeHeaderValue('ce-subject', raw, 'test');
      throw new Error('accepted');
    } catch (err) {
      expect(isFaasportError(err) && err.code).toBe('EVENT_INVALID');
      expect(isFaasportError(err) && err.details).toEqual({ header: 'ce-subject' });
    }
  });
});
