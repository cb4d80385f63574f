import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FaasportError } from '../../src/index.js';
import { checkDecode, fuzzDecoder, mutatedEvent } from './fuzz.js';

const seed = { id: 'e1', headers: { a: 'b' }, body: 'eyJhIjoxfQ==', isBase64Encoded: true, list: [1, 2] };

describe('the fuzz harness', () => {
  it('mutates with own __proto__ / constructor keys, deletions, wrong types and base64 flips', () => {
    const samples = fc.sample(mutatedEvent([seed]), { numRuns: 2000, seed: 42 }).map((e) => JSON.stringify(e) ?? 'undefined');
    expect(samples.some((s) => s.includes('"__proto__"'))).toBe(true);
    expect(samples.some((s) => s.includes('"constructor"'))).toBe(true);
    expect(samples.some((s) => s.includes('"isBase64Encoded":false'))).toBe(true);
    expect(samples.some((s) => !s.includes('"id"'))).toBe(true);
    expect(samples.some((s) => s.includes('"headers":null') || s.includes('"headers":0'))).toBe(true);
  });

  it('fails a decoder that pollutes Object.prototype', async () => {
    const polluting = (event: unknown): void => {
      const target = {} as Record<string, unknown>;
      Object.assign(Object.getPrototypeOf(target) as object, { polluted: event });
    };
    await expect(fuzzDecoder('polluting', mutatedEvent([seed]), polluting)).rejects.toThrow('Object.prototype was polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('fails a decoder that throws an untyped error, and counts it when known', async () => {
    const crashing = (event: unknown): void => {
      if ((event as { id?: unknown })?.id !== 'e1') throw new TypeError('boom');
    };
    await expect(fuzzDecoder('crashing', mutatedEvent([seed]), crashing)).rejects.toThrow('TypeError: boom');
    const figures = await fuzzDecoder('crashing', mutatedEvent([seed]), crashing, { knownUntyped: 'test' });
    expect(figures.untyped).toBeGreaterThan(0);
    await expect(fuzzDecoder('fine', mutatedEvent([seed]), () => {}, { knownUntyped: 'test' })).rejects.toThrow('remove it from the known failures');
  });

  it('accepts a FaasportError only when it names the bad field', async () => {
    expect(
      await checkDecode(() => {
        throw new FaasportError('EVENT_INVALID', 'x', { details: { path: 'id' } });
      }),
    ).toEqual({ kind: 'refused', code: 'EVENT_INVALID', path: 'id' });
    expect(
      await checkDecode(() => {
        throw new FaasportError('EVENT_INVALID', 'x', { details: { path: '' } });
      }),
    ).toEqual({ kind: 'refused', code: 'EVENT_INVALID', path: '' });
    expect(
      (
        await checkDecode(() => {
          throw new FaasportError('EVENT_INVALID', 'x');
        })
      ).kind,
    ).toBe('untyped');
    expect(
      (
        await checkDecode(() => {
          throw new FaasportError('EVENT_INVALID', 'x', { details: { path: 3 } });
        })
      ).kind,
    ).toBe('untyped');
  });

  it('fails a decoder that leaves a rejection unhandled', async () => {
    const leaky = (): void => {
      void Promise.reject(new Error('lost'));
    };
    await expect(fuzzDecoder('leaky', mutatedEvent([seed]), leaky)).rejects.toThrow('unhandled rejections');
  });
});
