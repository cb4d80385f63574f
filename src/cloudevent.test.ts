import { describe, expect, it } from 'vitest';
import { toCloudEvent, eventMatches } from './cloudevent.js';

const valid = { specversion: '1.0', id: '1', source: '/s', type: 't.created' };

describe('toCloudEvent', () => {
  it('accepts a valid structured event with extensions and decodes data_base64', () => {
    const e = toCloudEvent({ ...valid, traceparent: 'x', data_base64: Buffer.from([0, 255]).toString('base64') }, 'test');
    expect(e.data).toEqual(new Uint8Array([0, 255]));
    expect(e.traceparent).toBe('x');
  });

  it.each([
    [null, /must be a JSON object/],
    [{ ...valid, specversion: '0.3' }, /specversion must be "1.0", got "0.3"; send a CloudEvents 1.0 event/],
    [{ ...valid, specversion: 1 }, /specversion must be "1.0", got a number/],
    [{ ...valid, specversion: 'x'.repeat(5000) }, /got a string of 5000 characters; send/],
    [{ ...valid, id: '' }, /"id" must be a non-empty string/],
    [{ ...valid, source: 5 }, /"source"/],
    [{ ...valid, time: 'yesterday' }, /"time" is not an RFC 3339 timestamp \(got "yesterday"\); use e\.g\./],
    [{ ...valid, time: 'y'.repeat(100) }, /\(got a string of 100 characters\)/],
    [{ ...valid, Bad_Name: 1 }, /not a valid CloudEvent attribute name/],
    [{ ...valid, data_base64: '!!' }, /not valid base64/],
  ])('refuses %j', (input, message) => {
    expect(() => toCloudEvent(input, 'test')).toThrowError(message);
  });

  it('refuses __proto__ as an attribute and leaves Object.prototype alone', () => {
    expect(() => toCloudEvent(JSON.parse('{"specversion":"1.0","id":"1","source":"/s","type":"t","__proto__":{"polluted":1}}'), 'test')).toThrowError(
      /"__proto__" is not a valid CloudEvent attribute name/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('matches filters exactly or by prefix', () => {
    expect(eventMatches({ type: 't.*', source: undefined }, valid)).toBe(true);
    expect(eventMatches({ type: 't.deleted', source: undefined }, valid)).toBe(false);
    expect(eventMatches({ type: undefined, source: '/s' }, valid)).toBe(true);
  });
});
