import { HttpRequest } from '@azure/functions';
import { describe, expect, test } from 'vitest';
import { isWarmupPing, warmupResponse, WARMUP_HEADER } from './warmup.js';

const request = (headers: Record<string, string>): HttpRequest => new HttpRequest({ method: 'GET', url: 'https://app.azurewebsites.net/hello/x', headers });

describe('isWarmupPing (azure)', () => {
  test.each([
    ['the ping header', { [WARMUP_HEADER]: '1' }, true],
    ['the header in another case', { 'X-Faasport-Warmup': '1' }, true],
    ['another value', { [WARMUP_HEADER]: 'yes' }, false],
    ['no header', { 'content-type': 'application/json' }, false],
  ])('%s → %s', (_name, headers, expected) => {
    expect(isWarmupPing(request(headers))).toBe(expected);
  });

  test('the answer is an empty 204 that says it was a warm-up', () => {
    expect(warmupResponse()).toEqual({ status: 204, headers: { 'x-faasport-warmup': 'ok' } });
  });
});
