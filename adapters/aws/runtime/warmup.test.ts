import { describe, expect, test } from 'vitest';
import { listEventFixtures, loadFixture } from '../testing/fixtures.js';
import { isWarmupPing, warmupResponse, WARMUP_PING } from './warmup.js';

describe('isWarmupPing (aws)', () => {
  test.each([
    ['the ping constant', WARMUP_PING, true],
    ['the ping as JSON would arrive', JSON.parse(JSON.stringify(WARMUP_PING)), true],
    ['another faasport value', { faasport: 'cold' }, false],
    ['null', null, false],
    ['a string', 'warmup', false],
    ['an array', [WARMUP_PING], false],
    ['an empty object', {}, false],
  ])('%s → %s', (_name, event, expected) => {
    expect(isWarmupPing(event)).toBe(expected);
  });

  test.each(listEventFixtures())('vendor event %s is not a ping', (fixture) => {
    expect(isWarmupPing(loadFixture(fixture))).toBe(false);
  });

  test('the answer names the function and whether the ping started the instance', () => {
    expect(warmupResponse('hello', true)).toEqual({ faasport: 'warmup', functionName: 'hello', coldStart: true });
  });
});
