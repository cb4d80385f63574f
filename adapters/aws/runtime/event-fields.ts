import { FaasportError, invalidEventField, isFaasportError } from 'faasport';
export { typeName } from 'faasport';

/**
 * Typed reads of Lambda event fields. AWS delivers well-formed events, but a hand-written
 * test event, a direct `Invoke` or a bug upstream may not: a field of the wrong type must be
 * refused with EVENT_INVALID naming its path (`details.path`, dotted; '' for the event
 * itself), never a TypeError from deep inside a decoder. Each check is one `typeof`, done
 * where the field is read, so fields a handler never reads cost nothing. Messages carry
 * paths and types only, never values (they may be secrets).
 */

type Loose = Record<string, unknown>;

/** A map key usable in a dotted path: odd or huge keys (they come from the event) become `?`. */
export function keyPath(path: string, key: string | number): string {
  const segment = typeof key === 'number' || /^[\w$@:-]{1,64}$/.test(key) ? String(key) : '?';
  return path ? `${path}.${segment}` : segment;
}

/** EVENT_INVALID for the field at `path`. */
export function invalidField(operation: string, path: string, expected: string, value: unknown): FaasportError {
  return invalidEventField(operation, path, expected, value, {
    hint: 'events from AWS always do, so check the test event or the caller that invoked the function',
  });
}

/** A JSON object (not null, not an array). */
export function objectAt(value: unknown, operation: string, path: string): Loose {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidField(operation, path, 'an object', value);
  return value as Loose;
}

/** An object, or undefined for a missing or null field. */
export function optionalObjectAt(value: unknown, operation: string, path: string): Loose | undefined {
  return value === undefined || value === null ? undefined : objectAt(value, operation, path);
}

export function stringAt(value: unknown, operation: string, path: string): string {
  if (typeof value !== 'string') throw invalidField(operation, path, 'a string', value);
  return value;
}

/** A string, or undefined for a missing or null field. */
export function optionalStringAt(value: unknown, operation: string, path: string): string | undefined {
  return value === undefined || value === null ? undefined : stringAt(value, operation, path);
}

/** An array, or undefined for a missing or null field. */
export function optionalArrayAt(value: unknown, operation: string, path: string): readonly unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidField(operation, path, 'an array', value);
  return value;
}

/** Epoch seconds as an ISO time, or undefined for a missing or null field. */
export function optionalEpochSecondsAt(value: unknown, operation: string, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const date = typeof value === 'number' ? new Date(value * 1000) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw invalidField(operation, path, 'a number of epoch seconds', value);
  return date.toISOString();
}

/** Epoch milliseconds (SQS sends them as a numeric string) as a Date; the current time when missing or unreadable. */
export function epochMs(value: unknown): Date {
  const n = typeof value === 'string' && value !== '' ? Number(value) : typeof value === 'number' ? value : Number.NaN;
  const date = new Date(n);
  return Number.isNaN(date.getTime()) ? new Date() : date;
}

/** The same refusal with its path made relative to the event: `Records.<index>.<path>`. */
export function inRecord(err: unknown, index: number): unknown {
  if (!isFaasportError(err) || typeof err.details?.path !== 'string') return err;
  const path = err.details.path === '' ? keyPath('Records', index) : `${keyPath('Records', index)}.${err.details.path}`;
  return new FaasportError(err.code, err.message, { status: err.status, details: { ...err.details, path }, cause: err.cause });
}

// The `…In` forms read an entry of a map or list: its path (`<base>.<key>`) is built only on failure,
// so a header map of 30 entries costs 30 typeof checks and no string work.

/** `base[key]` as a string. */
export function stringIn(value: unknown, operation: string, base: string, key: string | number): string {
  if (typeof value !== 'string') throw invalidField(operation, keyPath(base, key), 'a string', value);
  return value;
}

/** `base[key]` as a string, or undefined for a missing or null entry. */
export function optionalStringIn(value: unknown, operation: string, base: string, key: string | number): string | undefined {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return undefined;
  throw invalidField(operation, keyPath(base, key), 'a string', value);
}

/** `base[key]` as an array, or undefined for a missing or null entry. */
export function optionalArrayIn(value: unknown, operation: string, base: string, key: string): readonly unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null) return undefined;
  throw invalidField(operation, keyPath(base, key), 'an array', value);
}

/** `base[key][index]` as a string. */
export function stringInList(value: unknown, operation: string, base: string, key: string, index: number): string {
  if (typeof value !== 'string') throw invalidField(operation, keyPath(keyPath(base, key), index), 'a string', value);
  return value;
}
