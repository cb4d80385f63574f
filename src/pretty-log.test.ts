import { describe, expect, it } from 'vitest';
import { formatLogRecord } from './pretty-log.js';

describe('dev log lines for a terminal', () => {
  const record = {
    level: 'warn' as const,
    msg: 'order queued',
    time: '2026-01-01T10:00:00.123Z',
    functionName: 'placeOrder',
    invocationId: 'i1',
    traceId: 't1',
    id: 'o1',
    note: 'two words',
    n: 3,
  };

  it('reads as time, level, function, message and key=value fields', () => {
    expect(formatLogRecord(record, false)).toBe('10:00:00.123 WARN  placeOrder  order queued  id=o1 note="two words" n=3');
  });

  it('colors the level by severity on a terminal, and only there', () => {
    const colored = formatLogRecord(record, true);
    expect(colored).toContain('\x1b[33mWARN \x1b[0m');
    expect(colored.replace(/\x1b\[[0-9;]*m/g, '')).toBe(formatLogRecord(record, false));
    expect(formatLogRecord(record, false)).not.toMatch(/\x1b/);
  });
});
