import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { OBSERVED } from '../functions/app.js';
import type { ConformanceCase } from './types.js';
import { json, observed, req } from './support.js';

/** The `context` group. Context: ctx fields, cold start, invocation ids, trace propagation, log binding, the deadline. */
export const contextCases: readonly ConformanceCase[] = [
  {
    group: 'context',
    name: 'context fields are filled and the provider is the adapter',
    async run({ driver, adapterName }) {
      const c = await json<Record<string, unknown>>(await driver.fetch(req('/context')));
      assert.equal(c.functionName, 'context');
      assert.equal(c.provider, adapterName, 'ctx.provider names the adapter');
      assert.equal(typeof c.coldStart, 'boolean');
      assert.equal(typeof c.invocationId, 'string');
      assert.ok((c.invocationId as string).length > 0);
      assert.equal(c.attempt, 1);
      assert.equal(c.deadlineInFuture, true);
      assert.ok((c.remainingTimeMs as number) > 0 && (c.remainingTimeMs as number) <= 30_000);
      assert.equal(c.aborted, false);
      assert.match(c.traceId as string, /^[0-9a-f]{32}$/);
      assert.match(c.spanId as string, /^[0-9a-f]{16}$/);
    },
  },
  {
    group: 'context',
    name: 'coldStart is true at most once and invocation ids are unique',
    async run({ driver }) {
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await json<{ coldStart: boolean; invocationId: string }>(await driver.fetch(req('/context'))));
      assert.ok(results.slice(1).every((r) => r.coldStart === false));
      assert.equal(new Set(results.map((r) => r.invocationId)).size, 5);
    },
  },
  {
    group: 'context',
    name: 'coldStart is true on the first invocation of a fresh runtime, then false',
    async run({ production }) {
      const fresh = await production();
      const first = await json<{ coldStart: boolean }>(await fresh.fetch(req('/context')));
      const second = await json<{ coldStart: boolean }>(await fresh.fetch(req('/context')));
      assert.equal(first.coldStart, true);
      assert.equal(second.coldStart, false);
    },
  },
  {
    group: 'context',
    name: 'a W3C traceparent on the request becomes the trace id',
    async run({ driver }) {
      const traceId = randomUUID().replace(/-/g, '');
      const c = await json<{ traceId: string; parentSpanId: string }>(
        await driver.fetch(req('/context', { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })),
      );
      assert.equal(c.traceId, traceId);
      assert.equal(c.parentSpanId, '00f067aa0ba902b7');
    },
  },
  {
    group: 'context',
    name: 'the trace id of an HTTP request reaches the queue consumer it enqueued',
    alsoUses: ['queues'],
    async run({ driver }) {
      const run = randomUUID();
      const traceId = randomUUID().replace(/-/g, '');
      const res = await driver.fetch(
        req('/enqueue/work', {
          method: 'POST',
          headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
          body: JSON.stringify([{ run }]),
        }),
      );
      assert.equal(res.status, 202);
      await driver.settle();
      const seen = observed(driver.logs(), 'worker', run);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.traceId, traceId);
    },
  },
  {
    group: 'context',
    name: 'log lines carry function name, invocation id and trace id',
    async run({ driver }) {
      const traceId = randomUUID().replace(/-/g, '');
      const c = await json<{ invocationId: string }>(await driver.fetch(req('/context', { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })));
      const line = driver.logs().find((r) => r.msg === 'context served' && r.invocationId === c.invocationId);
      assert.ok(line, 'no log line with the invocation id');
      assert.equal(line.functionName, 'context');
      assert.equal(line.traceId, traceId);
      assert.equal(line.level, 'info');
      assert.equal(line.conf, true);
    },
  },
  {
    group: 'context',
    name: 'the deadline aborts ctx.signal and the request fails with 504',
    async run({ driver }) {
      const res = await driver.fetch(req('/slow'));
      assert.equal(res.status, 504);
      assert.equal((await json<{ code: string }>(res)).code, 'TIMEOUT');
      await new Promise((r) => setTimeout(r, 50));
      const seen = driver.logs().filter((r) => r.msg === OBSERVED && r.fn === 'slow');
      assert.ok(seen.length >= 1 && seen.every((r) => r.aborted === true), 'ctx.signal did not abort at the deadline');
    },
  },
];
