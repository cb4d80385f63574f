import { describe, expect, test } from 'vitest';
import { isFaasportError, type CloudEvent } from 'faasport';
import { decodePingEvent, PING_PAST_DUE_AFTER_MS } from './decode-ping-event.js';
import { encodePingEvent } from './encode-ping-event.js';
import { pingSourceName } from './ping-source-ref.js';

describe('PingSource names are Kubernetes names', () => {
  test.each([
    ['hourly', 'hourly'],
    ['nightlyReport', 'nightly-report'],
    ['sync-EU-2', 'sync-eu-2'],
    ['A1b', 'a1b'],
  ])('%s → %s', (fn, name) => expect(pingSourceName(fn)).toBe(name));
});

describe('a ping becomes a schedule tick', () => {
  const slot = new Date('2025-06-01T10:00:00.000Z');
  const ping = encodePingEvent({ namespace: 'shop', name: 'hourly' }, slot, 'ping-1');

  test('the event is what a PingSource sends', () => {
    expect(ping).toEqual({
      specversion: '1.0',
      id: 'ping-1',
      type: 'dev.knative.sources.ping',
      source: '/apis/v1/namespaces/shop/pingsources/hourly',
      time: slot.toISOString(),
    });
  });

  test.each([
    ['delivered at the slot', 0, 1, false],
    ['delivered within the minute', PING_PAST_DUE_AFTER_MS, 1, false],
    ['delivered later than a minute', PING_PAST_DUE_AFTER_MS + 1, 1, true],
    ['redelivered after a failure', 500, 2, true],
  ])('%s', (_name, lateMs, attempt, isPastDue) => {
    const now = new Date(slot.getTime() + lateMs);
    const { source, tick } = decodePingEvent(ping, attempt, now);
    expect(source).toEqual({ namespace: 'shop', name: 'hourly' });
    expect(tick).toEqual({ scheduledTime: slot, actualTime: now, isPastDue });
  });

  test('a ping without time is on time now', () => {
    const now = new Date();
    const { tick } = decodePingEvent({ ...ping, time: undefined } as CloudEvent, 1, now);
    expect(tick).toEqual({ scheduledTime: now, actualTime: now, isPastDue: false });
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['another type', { type: 'dev.knative.sources.apiserver.resource.add' }, 'type'],
    ['a source that is no PingSource', { source: '/apis/v1/namespaces/shop/apiserversources/x' }, 'source'],
    ['an upper-case PingSource name', { source: '/apis/v1/namespaces/shop/pingsources/Hourly' }, 'source'],
  ])('refuses %s', (_name, change, path) => {
    try {
      decodePingEvent({ ...ping, ...change } as CloudEvent);
      throw new Error('accepted');
    } catch (err) {
      expect(isFaasportError(err) && { code: err.code, status: err.status, path: err.details?.path }).toEqual({ code: 'EVENT_INVALID', status: 400, path });
    }
  });
});
