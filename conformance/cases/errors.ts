import assert from 'node:assert/strict';
import type { ConformanceCase } from './types.js';
import { json, req } from './support.js';

/** The `errors` group. Errors: what a thrown error answers in production and outside it, and how it is logged. */
export const errorsCases: readonly ConformanceCase[] = [
  {
    group: 'errors',
    name: 'a thrown error answers 500 JSON without stack or message in production',
    async run({ production }) {
      const driver = await production();
      const res = await driver.fetch(req('/boom'));
      assert.equal(res.status, 500);
      const text = await res.text();
      assert.doesNotMatch(text, /db password|at .*\(|\.ts:\d+|\.js:\d+/);
      const body = JSON.parse(text) as { error: string; stack?: unknown };
      assert.equal(body.error, 'Internal Server Error');
      assert.equal(body.stack, undefined);
    },
  },
  {
    group: 'errors',
    name: 'a thrown error answers 500 JSON with the message outside production',
    async run({ driver }) {
      const res = await driver.fetch(req('/boom'));
      assert.equal(res.status, 500);
      const body = await json<{ error: string }>(res);
      assert.match(body.error, /internal detail/);
    },
  },
  {
    group: 'errors',
    name: 'a handler failure is logged with the invocation id, not the request',
    async run({ driver }) {
      const before = driver.logs().length;
      await driver.fetch(req('/boom', { headers: { authorization: 'Bearer conformance-canary-token' } }));
      const lines = driver.logs().slice(before);
      const failure = lines.find((r) => r.level === 'error' && r.functionName === 'boom');
      assert.ok(failure, 'no error log line for the failed invocation');
      assert.ok(failure.invocationId);
      assert.doesNotMatch(JSON.stringify(lines), /conformance-canary-token/);
    },
  },
];
