import { describe, expect, test } from 'vitest';
import { isWarmupPing, WARMUP_EVENT_TYPE, WARMUP_HEADER } from './warmup.js';

describe('isWarmupPing (gcp)', () => {
  test.each([
    ['the ping header (Express lower-cases names)', { headers: { [WARMUP_HEADER]: '1' } }, true],
    ['a repeated ping header', { headers: { [WARMUP_HEADER]: ['1', '1'] } }, true],
    ['another header value', { headers: { [WARMUP_HEADER]: '0' } }, false],
    ['an ordinary request', { headers: { 'content-type': 'application/json' } }, false],
    ['the ping CloudEvent', { type: WARMUP_EVENT_TYPE }, true],
    ['a Pub/Sub CloudEvent', { type: 'google.cloud.pubsub.topic.v1.messagePublished' }, false],
    ['a storage CloudEvent carrying the header name in data', { type: 'google.cloud.storage.object.v1.finalized', headers: { [WARMUP_HEADER]: '1' } }, false],
  ])('%s → %s', (_name, input, expected) => {
    expect(isWarmupPing(input)).toBe(expected);
  });
});
