import { FaasportError } from './errors.js';
import { matchesFilter, type EventFunctionDefinition } from './definitions.js';
import type { CloudEvent } from './types.js';

const REQUIRED = ['id', 'source', 'type'] as const;
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
const CORE = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'data', 'data_base64']);

/**
 * Checks a structured-mode CloudEvent (already parsed from JSON) and returns it typed.
 * `data_base64` is decoded to bytes. Throws EVENT_INVALID naming the bad attribute.
 */
export function toCloudEvent(value: unknown, operation: string): CloudEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FaasportError('EVENT_INVALID', `${operation}: a CloudEvent must be a JSON object`, { status: 400, details: { path: '' } });
  }
  const v = value as Record<string, unknown>;
  if (v.specversion !== '1.0') {
    throw new FaasportError('EVENT_INVALID', `${operation}: specversion must be "1.0", got ${preview(v.specversion)}; send a CloudEvents 1.0 event`, {
      status: 400,
      details: { path: 'specversion' },
    });
  }
  for (const key of REQUIRED) {
    if (typeof v[key] !== 'string' || (v[key] as string).length === 0) {
      throw new FaasportError('EVENT_INVALID', `${operation}: CloudEvent attribute "${key}" must be a non-empty string`, {
        status: 400,
        details: { path: key },
      });
    }
  }
  for (const key of ['subject', 'time', 'datacontenttype', 'dataschema'] as const) {
    if (v[key] !== undefined && typeof v[key] !== 'string') {
      throw new FaasportError('EVENT_INVALID', `${operation}: CloudEvent attribute "${key}" must be a string`, { status: 400, details: { path: key } });
    }
  }
  if (typeof v.time === 'string' && Number.isNaN(Date.parse(v.time))) {
    throw new FaasportError(
      'EVENT_INVALID',
      `${operation}: CloudEvent "time" is not an RFC 3339 timestamp (got ${preview(v.time)}); use e.g. "2026-01-31T12:00:00Z"`,
      { status: 400, details: { path: 'time' } },
    );
  }
  const event: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (key === 'data_base64') continue;
    if (!CORE.has(key) && !EXTENSION_NAME.test(key)) {
      throw new FaasportError('EVENT_INVALID', `${operation}: "${key}" is not a valid CloudEvent attribute name (lower-case letters and digits, at most 20)`, {
        status: 400,
        details: { path: key },
      });
    }
    event[key] = v[key];
  }
  if (v.data_base64 !== undefined) {
    if (typeof v.data_base64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v.data_base64)) {
      throw new FaasportError('EVENT_INVALID', `${operation}: data_base64 is not valid base64`, { status: 400, details: { path: 'data_base64' } });
    }
    event.data = new Uint8Array(Buffer.from(v.data_base64, 'base64'));
  }
  return Object.assign({}, event) as unknown as CloudEvent;
}

/** True when an event function's filter admits the event. */
export function eventMatches(def: Pick<EventFunctionDefinition, 'type' | 'source'>, event: Pick<CloudEvent, 'type' | 'source'>): boolean {
  return matchesFilter(def.type, event.type) && matchesFilter(def.source, event.source);
}

/** A short, bounded picture of a bad value for an error message: never the whole of a long input. */
function preview(value: unknown): string {
  if (typeof value === 'string') return value.length <= 32 && !/[\u0000-\u001f]/.test(value) ? JSON.stringify(value) : `a string of ${value.length} characters`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return value === undefined ? 'nothing' : `a ${typeof value}`;
}
