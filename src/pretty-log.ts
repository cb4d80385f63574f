import { safeStringify, type LogRecord, type LogSink } from './logger.js';

const RESERVED = new Set(['level', 'msg', 'time', 'functionName', 'invocationId', 'traceId']);
const LEVEL_COLOR: Record<string, string> = { debug: '\x1b[90m', info: '\x1b[36m', warn: '\x1b[33m', error: '\x1b[31m' };
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

/**
 * One log record as a line a person reads: time, level, function, message, then the fields as
 * `key=value`; colored when `color` is true. The JSON form stays the default when piped.
 *
 * @example
 * ```ts
 * formatLogRecord({ level: 'info', msg: 'order queued', time: '2026-01-01T10:00:00.000Z', functionName: 'placeOrder', id: 'o1' }, false);
 * // "10:00:00.000 INFO  placeOrder  order queued  id=o1"
 * ```
 */
export function formatLogRecord(record: LogRecord, color: boolean): string {
  const time = typeof record.time === 'string' && record.time.length >= 23 ? record.time.slice(11, 23) : String(record.time);
  const level = String(record.level).toUpperCase().padEnd(5);
  const fields = Object.entries(record)
    .filter(([key]) => !RESERVED.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : safeStringify(value)}`)
    .join(' ');
  const fn = typeof record.functionName === 'string' ? record.functionName : '';
  const paint = (code: string, text: string): string => (color ? `${code}${text}${RESET}` : text);
  return `${paint(DIM, time)} ${paint(LEVEL_COLOR[record.level] ?? '', level)} ${fn ? `${paint(BOLD, fn)}  ` : ''}${record.msg}${fields ? `  ${paint(DIM, fields)}` : ''}`;
}

/** A sink writing {@link formatLogRecord} lines. */
export function prettySink(write: (line: string) => void, color: boolean): LogSink {
  return (record) => write(formatLogRecord(record, color));
}
