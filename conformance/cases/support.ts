import assert from 'node:assert/strict';
import type { LogRecord } from '../../src/index.js';
import type { ConformanceDriver } from '../harness.js';
import { OBSERVED, type WorkBody } from '../functions/app.js';

// What the cases of several groups share: building requests, reading answers, finding observations.

const URL_BASE = 'http://conformance.test';

export function req(path: string, init?: RequestInit): Request {
  return new Request(URL_BASE + path, init);
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new assert.AssertionError({ message: `expected JSON, got ${res.status}: ${text.slice(0, 200)}` });
  }
}

/** Observations of function `fn` for test run `run`. */
export function observed(logs: readonly LogRecord[], fn: string, run: string): LogRecord[] {
  return logs.filter((r) => r.msg === OBSERVED && r.fn === fn && r.run === run);
}

export async function enqueue(driver: ConformanceDriver, queue: string, bodies: WorkBody[], query = ''): Promise<{ ids: string[]; traceId: string }> {
  const res = await driver.fetch(
    req(`/enqueue/${queue}${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bodies) }),
  );
  assert.equal(res.status, 202, `enqueue answered ${res.status}: ${await res.clone().text()}`);
  return json(res);
}

export const binaryBody = (): Uint8Array<ArrayBuffer> => {
  const bytes = new Uint8Array(256);
  for (let i = 0; i < 256; i++) bytes[i] = 255 - i;
  return bytes;
};
