import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { LogRecord } from '../../src/index.js';
import { OBSERVED, WORK_MAX_ATTEMPTS, type WorkBody } from '../functions/app.js';
import type { ConformanceCase } from './types.js';
import { enqueue, json, observed, req } from './support.js';

/** The `queue` group. Queues: delivery with attempt and attributes, batches, retries, dead-lettering after maxAttempts, size refusal, FIFO, delays, native producers' bodies. */
export const queueCases: readonly ConformanceCase[] = [
  {
    group: 'queue',
    name: 'a sent message is consumed once with attempt 1 and its attributes',
    async run({ driver }) {
      const run = randomUUID();
      const { ids } = await enqueue(driver, 'work', [{ run, text: 'hi' }]);
      await driver.settle();
      const seen = observed(driver.logs(), 'worker', run);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.attempt, 1);
      assert.equal(seen[0]!.ctxAttempt, 1);
      assert.deepEqual(seen[0]!.body, { run, text: 'hi' });
      assert.deepEqual(seen[0]!.attributes, { confSource: 'http' });
      assert.equal(seen[0]!.id, ids[0]);
      assert.ok(!Number.isNaN(Date.parse(String(seen[0]!.enqueuedAt))));
    },
  },
  {
    group: 'queue',
    name: 'sendBatch delivers every message',
    async run({ driver }) {
      const run = randomUUID();
      await enqueue(
        driver,
        'work',
        Array.from({ length: 12 }, (_, seq) => ({ run, seq })),
      );
      await driver.settle();
      const seqs = observed(driver.logs(), 'worker', run)
        .map((r) => (r.body as WorkBody).seq)
        .sort((a, b) => a! - b!);
      assert.deepEqual(
        seqs,
        Array.from({ length: 12 }, (_, i) => i),
      );
    },
  },
  {
    group: 'queue',
    name: 'a failing message is retried and attempts count up',
    async run({ driver }) {
      const run = randomUUID();
      await enqueue(driver, 'work', [{ run, failUntil: 2 }]);
      await driver.settle();
      const attempts = observed(driver.logs(), 'worker', run).map((r) => r.attempt);
      assert.deepEqual(attempts, [1, 2, 3]);
      assert.equal((await driver.deadLetters('work')).filter((e) => (e.message.body as WorkBody).run === run).length, 0);
    },
  },
  {
    group: 'queue',
    name: `a poison message is dead-lettered after exactly maxAttempts (${WORK_MAX_ATTEMPTS}) with the envelope`,
    async run({ driver }) {
      const run = randomUUID();
      const { ids } = await enqueue(driver, 'work', [{ run, failUntil: 1000 }]);
      await driver.settle();
      const attempts = observed(driver.logs(), 'worker', run).map((r) => r.attempt);
      assert.deepEqual(
        attempts,
        Array.from({ length: WORK_MAX_ATTEMPTS }, (_, i) => i + 1),
      );
      const envelopes = (await driver.deadLetters('work')).filter((e) => (e.message.body as WorkBody).run === run);
      assert.equal(envelopes.length, 1);
      const e = envelopes[0]!;
      assert.deepEqual(e.message.body, { run, failUntil: 1000 });
      assert.equal(e.message.id, ids[0]);
      assert.equal(e.attempts, WORK_MAX_ATTEMPTS);
      assert.equal(e.lastError.message, `planned failure ${WORK_MAX_ATTEMPTS}`);
      assert.ok(Date.parse(e.firstAttemptAt) <= Date.parse(e.deadLetteredAt));
      assert.equal(e.queue, 'work');
    },
  },
  {
    group: 'queue',
    name: 'a message over the platform limit is refused with PAYLOAD_TOO_LARGE and nothing is sent',
    async run({ driver, capabilities }) {
      const run = randomUUID();
      const text = 'x'.repeat(capabilities.maxMessageBytes + 1024);
      const res = await driver.fetch(
        req('/enqueue/work', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ run, text }]) }),
      );
      assert.equal(res.status, 413);
      const body = await json<{ code: string; error: string }>(res);
      assert.equal(body.code, 'PAYLOAD_TOO_LARGE');
      await driver.settle();
      assert.equal(observed(driver.logs(), 'worker', run).length, 0);
    },
  },
  {
    group: 'queue',
    name: 'FIFO keeps order within a group, even across a retry',
    requires: (caps) => (caps.fifo ? undefined : { reason: 'no FIFO / ordering keys on this platform', define: (app) => app.queue('ordered', { fifo: true }) }),
    async run({ driver }) {
      const run = randomUUID();
      const bodies: WorkBody[] = Array.from({ length: 6 }, (_, seq) => ({ run, seq, ...(seq === 2 ? { failUntil: 1 } : {}) }));
      await enqueue(driver, 'ordered', bodies, '?groupId=g1');
      await driver.settle();
      const firstSuccess = new Map<number, number>();
      const seen = observed(driver.logs(), 'fifoWorker', run);
      seen.forEach((r, i) => {
        const seq = (r.body as WorkBody).seq!;
        const failed = (r.body as WorkBody).failUntil !== undefined && (r.attempt as number) <= (r.body as WorkBody).failUntil!;
        if (!failed && !firstSuccess.has(seq)) firstSuccess.set(seq, i);
      });
      const order = [...firstSuccess.entries()].sort((a, b) => a[1] - b[1]).map(([seq]) => seq);
      assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
      assert.ok(seen.every((r) => r.groupId === 'g1'));
    },
  },
  {
    group: 'queue',
    name: 'a delayed message is not delivered before its delay',
    requires: (caps) =>
      caps.maxDelaySeconds > 0 ? undefined : { reason: 'no delayed delivery on this platform', define: (app) => app.queue('later', { delaySeconds: 1 }) },
    async run({ driver }) {
      const run = randomUUID();
      const sentAt = Date.now();
      await enqueue(driver, 'work', [{ run }], '?delaySeconds=1');
      await driver.settle();
      const seen = observed(driver.logs(), 'worker', run);
      assert.equal(seen.length, 1);
      assert.ok(Date.parse(String(seen[0]!.receivedAt)) - sentAt >= 950, 'delivered before its 1 s delay');
    },
  },

  {
    group: 'queue',
    name: "a message the platform's own producers sent has one body rule: UTF-8 JSON parsed, other text a string, other bytes as bytes",
    needsNativeMessages: true,
    async run({ driver, capabilities }) {
      assert.ok(driver.nativeProducers && driver.sendNative, 'the harness declares nativeMessages but its driver has no nativeProducers / sendNative');
      const producers = driver.nativeProducers.filter((p) => p.kind === 'queue' || capabilities.topics);
      assert.ok(producers.length > 0, 'the harness names no native producer');
      const run = randomUUID();
      // Each body carries a tag (run, producer, kind) so its observation is found whatever its type.
      const sent: { producer: string; fns: string[]; tag: string; expect: (r: LogRecord) => void }[] = [];
      const deadLettered: { producer: string; destination: string; fns: string[]; tag: string; code: string }[] = [];
      for (const [i, p] of producers.entries()) {
        const fns = p.kind === 'queue' ? ['worker'] : ['subscriberA', 'subscriberB'];
        const destination = p.kind === 'queue' ? 'work' : 'news';
        const json = `${run}:${i}:json`;
        const text = `${run}:${i}:text`;
        const bytes = `${run}:${i}:bytes`;
        await driver.sendNative(p.name, destination, new TextEncoder().encode(JSON.stringify({ run: json, n: 3 })));
        sent.push({
          producer: p.name,
          fns,
          tag: json,
          expect: (r) => assert.deepEqual({ kind: r.bodyKind, body: r.body }, { kind: 'object', body: { run: json, n: 3 } }),
        });
        await driver.sendNative(p.name, destination, new TextEncoder().encode(`plain ${text} héllo`));
        if (p.textDeadLetters) deadLettered.push({ producer: p.name, destination, fns, tag: text, code: p.textDeadLetters });
        else
          sent.push({
            producer: p.name,
            fns,
            tag: text,
            expect: (r) => assert.deepEqual({ kind: r.bodyKind, body: r.body }, { kind: 'string', body: `plain ${text} héllo` }),
          });
        if (!p.binary) continue;
        const raw = new Uint8Array([0xff, 0xfe, 0x00, 0x80, ...new TextEncoder().encode(bytes)]);
        await driver.sendNative(p.name, destination, raw);
        sent.push({
          producer: p.name,
          fns,
          tag: bytes,
          expect: (r) => assert.deepEqual({ kind: r.bodyKind, body: r.body }, { kind: 'bytes', body: { base64: Buffer.from(raw).toString('base64') } }),
        });
      }
      await driver.settle();
      const logs = driver.logs().filter((r) => r.msg === OBSERVED);
      const tagOf = (r: LogRecord): string =>
        r.bodyKind === 'bytes' ? Buffer.from((r.body as { base64: string }).base64, 'base64').toString('latin1') : JSON.stringify(r.body);
      for (const s of sent) {
        for (const fn of s.fns) {
          const seen = logs.filter((r) => r.fn === fn && tagOf(r).includes(s.tag));
          assert.equal(seen.length, 1, `${s.producer}: ${fn} saw the ${s.tag.split(':').pop()} body ${seen.length} times`);
          try {
            s.expect(seen[0]!);
          } catch (err) {
            throw new assert.AssertionError({ message: `${s.producer}: ${(err as Error).message}` });
          }
        }
      }
      // A body the platform cannot read without guessing reaches no function: it is dead-lettered
      // with a typed error, kept as it arrived (its text, or that text base64-decoded, holds the tag).
      const arrived = (body: unknown): string => (typeof body === 'string' ? `${body} ${Buffer.from(body, 'base64').toString('utf8')}` : JSON.stringify(body));
      for (const d of deadLettered) {
        for (const fn of d.fns) {
          assert.equal(
            logs.filter((r) => r.fn === fn && tagOf(r).includes(d.tag)).length,
            0,
            `${d.producer}: ${fn} ran on a text body the platform cannot tell apart`,
          );
          const letters = (await driver.deadLetters(d.destination, d.fns.length > 1 ? fn : undefined)).filter((e) => arrived(e.message.body).includes(d.tag));
          assert.equal(letters.length, 1, `${d.producer}: ${letters.length} dead letters hold the text body for ${fn}`);
          assert.equal(
            letters[0]!.lastError.code,
            d.code,
            `${d.producer}: the dead letter's error is ${String(letters[0]!.lastError.code)}: ${letters[0]!.lastError.message}`,
          );
        }
      }
    },
  },
];
