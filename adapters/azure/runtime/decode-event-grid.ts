import { FaasportError, toCloudEvent, type CloudEvent } from 'faasport';

/**
 * Turns the event an Event Grid trigger receives into a CloudEvent, for both subscription
 * schemas:
 * - Event Grid schema: `id`, `topic` → source, `eventType` → type, `subject`, `eventTime` → time, `data`;
 * - CloudEvents 1.0 schema: attributes as they are, matched case-insensitively (Azure's own
 *   samples spell `specVersion`).
 * Throws EVENT_INVALID naming the missing attribute.
 *
 * @example
 * ```ts
 * import { decodeEventGridEvent } from 'faasport/azure';
 * const ce = decodeEventGridEvent(
 *   { id: '1', topic: '/subscriptions/s', subject: 'a', eventType: 'Demo.Created', eventTime: '2024-01-01T00:00:00Z', data: {}, dataVersion: '1', metadataVersion: '1' },
 *   'event "onEvent"',
 * );
 * // ce.type === 'Demo.Created', ce.source === '/subscriptions/s'
 * ```
 */
export function decodeEventGridEvent(event: unknown, operation: string): CloudEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new FaasportError(
      'EVENT_INVALID',
      `${operation}: an Event Grid event must be a JSON object, got ${event === null ? 'null' : Array.isArray(event) ? 'an array' : typeof event}`,
      {
        status: 400,
        details: { path: '' },
      },
    );
  }
  const e = event as Record<string, unknown>;
  const specversion = Object.keys(e).find((k) => k.toLowerCase() === 'specversion');
  if (specversion !== undefined) {
    const lowered: Record<string, unknown> = {};
    for (const key of Object.keys(e)) lowered[key.toLowerCase()] = e[key];
    return toCloudEvent(lowered, operation);
  }
  for (const key of ['id', 'topic', 'eventType'] as const) {
    if (typeof e[key] !== 'string' || e[key] === '') {
      throw new FaasportError('EVENT_INVALID', `${operation}: Event Grid schema event has no "${key}"; expected an Event Grid or CloudEvents 1.0 event`, {
        status: 400,
        details: { path: key },
      });
    }
  }
  const ce: Record<string, unknown> = { specversion: '1.0', id: e.id, source: e.topic, type: e.eventType };
  if (typeof e.subject === 'string' && e.subject !== '') ce.subject = e.subject;
  if (typeof e.eventTime === 'string') ce.time = e.eventTime;
  if (e.data !== undefined) {
    ce.datacontenttype = 'application/json';
    ce.data = e.data;
  }
  return toCloudEvent(ce, operation);
}
