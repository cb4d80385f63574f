import { randomUUID } from 'node:crypto';
import type { CloudEvent } from 'faasport';
import { pingSourceUri, type PingSourceRef } from './ping-source-ref.js';
import { PING_TYPE } from './vocabulary.js';

/**
 * The event a Knative PingSource sends for one firing. Its `time` is the scheduled slot, so
 * the receiver can tell how late the delivery is. A PingSource without `data` sends no body.
 *
 * @example
 * ```ts
 * const ping = encodePingEvent({ namespace: 'default', name: 'hourly' }, new Date('2025-01-01T10:00:00Z'));
 * ping.source; // '/apis/v1/namespaces/default/pingsources/hourly'
 * ```
 */
export function encodePingEvent(ref: PingSourceRef, scheduledTime: Date, id: string = randomUUID()): CloudEvent {
  return { specversion: '1.0', id, source: pingSourceUri(ref), type: PING_TYPE, time: scheduledTime.toISOString() };
}
