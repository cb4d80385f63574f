import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createApp, findUnsupported, type Capabilities, type LogRecord } from '../src/index.js';
import type { ConformanceDriver } from './harness.js';
import { OBSERVED, WORK_MAX_ATTEMPTS, type WorkBody } from './functions/app.js';

export type Group = 'http' | 'queue' | 'topic' | 'schedule' | 'event' | 'context' | 'errors';

export interface CaseEnv {
  /** The shared driver (development mode). */
  readonly driver: ConformanceDriver;
  /** The adapter's name: what `ctx.provider` must say. */
  readonly adapterName: string;
  /** Starts a separate driver in production mode; stopped by the suite. */
  production(): Promise<ConformanceDriver>;
  readonly capabilities: Capabilities;
}

export interface ConformanceCase {
  readonly group: Group;
  readonly name: string;
  /** When the adapter lacks what the case needs: the reason, and an app that needs it (to prove it is refused). */
  readonly requires?: (caps: Capabilities) => Requirement | undefined;
  /** Trigger kinds the case drives beyond its group's own (see GROUP_TRIGGERS). */
  readonly alsoUses?: readonly TriggerCapability[];
  /** The case needs the platform's storage notifications (a harness that declares `storageNotifications`). */
  readonly needsStorageNotifications?: boolean;
  /** The case needs the platform's own producers (a harness that declares `nativeMessages`). */
  readonly needsNativeMessages?: boolean;
  run(env: CaseEnv): Promise<void>;
}

export interface Requirement {
  readonly reason: string;
  /** Defines what needs the capability, to prove the adapter refuses it. */
  readonly define: (app: ReturnType<typeof createApp>) => void;
}

export type TriggerCapability = 'http' | 'queues' | 'topics' | 'schedules' | 'events';

/**
 * The trigger kinds each group drives. Queue and topic cases send through an HTTP function
 * (the producer runs inside a function, as in an app), so they need http too.
 */
export const GROUP_TRIGGERS: Readonly<Record<Group, readonly TriggerCapability[]>> = {
  http: ['http'],
  queue: ['http', 'queues'],
  topic: ['http', 'topics'],
  schedule: ['schedules'],
  event: ['events'],
  context: ['http'],
  errors: ['http'],
};

const DEFINE_TRIGGER: Readonly<Record<TriggerCapability, (app: ReturnType<typeof createApp>) => void>> = {
  http: (app) => app.http('needsHttp', { route: '/needs-http' }, () => new Response('')),
  queues: (app) => app.queue('needsQueues').consume('needsQueuesConsumer', async () => {}),
  topics: (app) => app.topic('needsTopics').subscribe('needsTopicsSubscriber', async () => {}),
  schedules: (app) => app.schedule('needsSchedules', { cron: '0 * * * *' }, async () => {}),
  events: (app) => app.event('needsEvents', {}, async () => {}),
};

/**
 * What a case needs that the adapter does not declare: a trigger kind its group drives, or
 * a capability of its own (FIFO, delays). Undefined when the adapter can run it.
 */
export function requirement(c: ConformanceCase, caps: Capabilities): Requirement | undefined {
  for (const trigger of [...GROUP_TRIGGERS[c.group], ...(c.alsoUses ?? [])]) {
    if (!caps[trigger]) {
      const via = GROUP_TRIGGERS[c.group].includes(trigger) && trigger !== GROUP_TRIGGERS[c.group].at(-1) ? ` (the ${c.group} cases are driven through an HTTP function)` : '';
      return { reason: `the adapter declares no ${trigger} capability${via}`, define: DEFINE_TRIGGER[trigger] };
    }
  }
  return c.requires?.(caps);
}

/** Why a case cannot run on this harness for lack of a platform service (no refusal to prove), or undefined. */
export function harnessGap(c: ConformanceCase, harness: { readonly storageNotifications?: boolean; readonly nativeMessages?: boolean }): string | undefined {
  if (c.needsStorageNotifications && !harness.storageNotifications) return 'the platform has no storage service whose notifications could be delivered';
  if (c.needsNativeMessages && !harness.nativeMessages) return 'the platform has no producers of its own: every message on it is sent by faasport';
  return undefined;
}

const URL_BASE = 'http://conformance.test';

function req(path: string, init?: RequestInit): Request {
  return new Request(URL_BASE + path, init);
}

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
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

async function enqueue(driver: ConformanceDriver, queue: string, bodies: WorkBody[], query = ''): Promise<{ ids: string[]; traceId: string }> {
  const res = await driver.fetch(req(`/enqueue/${queue}${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bodies) }));
  assert.equal(res.status, 202, `enqueue answered ${res.status}: ${await res.clone().text()}`);
  return json(res);
}

const binaryBody = (): Uint8Array<ArrayBuffer> => {
  const bytes = new Uint8Array(256);
  for (let i = 0; i < 256; i++) bytes[i] = 255 - i;
  return bytes;
};

export const cases: ConformanceCase[] = [
  // ── http ──────────────────────────────────────────────────────────────────────
  ...(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).map<ConformanceCase>((method) => ({
    group: 'http',
    name: `method ${method} reaches the handler`,
    async run({ driver }) {
      const body = method === 'GET' ? undefined : JSON.stringify({ m: method });
      const res = await driver.fetch(req('/echo/m', { method, ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}) }));
      assert.equal(res.status, 200);
      const echo = await json<{ method: string; bodyBase64: string }>(res);
      assert.equal(echo.method, method);
      if (body) assert.equal(Buffer.from(echo.bodyBase64, 'base64').toString(), body);
    },
  })),
  {
    group: 'http',
    name: 'route params are decoded onto ctx.params',
    async run({ driver }) {
      const res = await driver.fetch(req('/users/ada%20lovelace/items/42'));
      assert.equal(res.status, 200);
      assert.deepEqual(await json(res), { params: { user: 'ada lovelace', item: '42' } });
    },
  },
  {
    group: 'http',
    name: 'repeated query keys keep every value in order, decoded once',
    async run({ driver }) {
      const res = await driver.fetch(req('/echo/q?tag=a&tag=b&tag=c%20d&plus=1%2B1&empty='));
      const echo = await json<{ query: [string, string][] }>(res);
      assert.deepEqual(echo.query, [['tag', 'a'], ['tag', 'b'], ['tag', 'c d'], ['plus', '1+1'], ['empty', '']]);
    },
  },
  {
    group: 'http',
    name: 'repeated request headers arrive combined in order',
    async run({ driver }) {
      const headers = new Headers();
      headers.append('x-conf-repeat', 'first');
      headers.append('x-conf-repeat', 'second');
      const echo = await json<{ headers: Record<string, string> }>(await driver.fetch(req('/echo/h', { headers })));
      assert.equal(echo.headers['x-conf-repeat'], 'first, second');
    },
  },
  {
    group: 'http',
    name: 'request cookies reach the handler',
    async run({ driver }) {
      const echo = await json<{ cookie: string }>(await driver.fetch(req('/echo/c', { headers: { cookie: 'a=1; b=two' } })));
      assert.equal(echo.cookie, 'a=1; b=two');
    },
  },
  {
    group: 'http',
    name: 'response Set-Cookie headers stay separate (dates with commas intact)',
    async run({ driver }) {
      const res = await driver.fetch(req('/cookies'));
      assert.deepEqual(res.headers.getSetCookie(), [
        'session=abc123; Path=/; HttpOnly; Secure; SameSite=Lax',
        'theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/',
        'token=eyJhbGciOiJIUzI1NiJ9.e30=; Path=/; Secure',
      ]);
      assert.equal(res.headers.get('x-conf-multi'), 'one, two');
    },
  },
  {
    group: 'http',
    name: 'unicode JSON body round-trips',
    async run({ driver }) {
      const text = 'héllo wörld — 你好 — 🚀';
      const res = await driver.fetch(req('/echo/u', { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text }));
      const echo = await json<{ bodyBase64: string }>(res);
      assert.equal(Buffer.from(echo.bodyBase64, 'base64').toString('utf8'), text);
      const out = await json<{ text: string; emoji: string }>(await driver.fetch(req('/unicode')));
      assert.deepEqual(out, { text, emoji: '👩‍💻' });
    },
  },
  {
    group: 'http',
    name: 'binary request body arrives byte for byte',
    async run({ driver }) {
      const bytes = binaryBody();
      const res = await driver.fetch(req('/echo/b', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes }));
      const echo = await json<{ bodyBase64: string; bodyLength: number }>(res);
      assert.equal(echo.bodyLength, 256);
      assert.deepEqual(new Uint8Array(Buffer.from(echo.bodyBase64, 'base64')), bytes);
    },
  },
  {
    group: 'http',
    name: 'binary response body arrives byte for byte',
    async run({ driver }) {
      const res = await driver.fetch(req('/binary'));
      assert.equal(res.headers.get('content-type'), 'image/png');
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(bytes.length, 256);
      bytes.forEach((b, i) => assert.equal(b, i));
    },
  },
  ...[200, 201, 204, 301, 400, 404, 418, 503].map<ConformanceCase>((code) => ({
    group: 'http',
    name: `status ${code} is returned as is`,
    async run({ driver }) {
      const res = await driver.fetch(req(`/status/${code}`, { redirect: 'manual' }));
      assert.equal(res.status, code);
      assert.equal(res.headers.get('x-conf-status'), String(code));
      if (code !== 204) assert.equal(await res.text(), `status ${code}`);
    },
  })),
  {
    group: 'http',
    name: 'a body near the platform limit is accepted',
    async run({ driver, capabilities }) {
      // Base64 transports (Lambda) inflate by 4/3; stay under the raw limit with room for that.
      const size = Math.floor((capabilities.maxHttpBodyBytes * 0.7) / 1024) * 1024;
      const body = new Uint8Array(size).fill(97);
      const res = await driver.fetch(req('/echo/big', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body }));
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal((await json<{ bodyLength: number }>(res)).bodyLength, size);
    },
  },
  {
    group: 'http',
    name: 'a body over the platform limit gets 413 with a typed error',
    async run({ driver, capabilities }) {
      const body = new Uint8Array(capabilities.maxHttpBodyBytes + 1024).fill(98);
      const res = await driver.fetch(req('/echo/huge', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body }));
      assert.equal(res.status, 413);
      assert.equal((await json<{ code: string }>(res)).code, 'PAYLOAD_TOO_LARGE');
    },
  },
  {
    group: 'http',
    name: 'unknown route answers 404 JSON',
    async run({ driver }) {
      const res = await driver.fetch(req('/no/such/route'));
      assert.equal(res.status, 404);
      assert.ok((await json<{ error: string }>(res)).error);
    },
  },

  // ── queue ─────────────────────────────────────────────────────────────────────
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
      await enqueue(driver, 'work', Array.from({ length: 12 }, (_, seq) => ({ run, seq })));
      await driver.settle();
      const seqs = observed(driver.logs(), 'worker', run).map((r) => (r.body as WorkBody).seq).sort((a, b) => a! - b!);
      assert.deepEqual(seqs, Array.from({ length: 12 }, (_, i) => i));
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
      assert.deepEqual(attempts, Array.from({ length: WORK_MAX_ATTEMPTS }, (_, i) => i + 1));
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
      const res = await driver.fetch(req('/enqueue/work', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ run, text }]) }));
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
    requires: (caps) =>
      caps.fifo ? undefined : { reason: 'no FIFO / ordering keys on this platform', define: (app) => app.queue('ordered', { fifo: true }) },
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
        sent.push({ producer: p.name, fns, tag: json, expect: (r) => assert.deepEqual({ kind: r.bodyKind, body: r.body }, { kind: 'object', body: { run: json, n: 3 } }) });
        await driver.sendNative(p.name, destination, new TextEncoder().encode(`plain ${text} héllo`));
        if (p.textDeadLetters) deadLettered.push({ producer: p.name, destination, fns, tag: text, code: p.textDeadLetters });
        else sent.push({ producer: p.name, fns, tag: text, expect: (r) => assert.deepEqual({ kind: r.bodyKind, body: r.body }, { kind: 'string', body: `plain ${text} héllo` }) });
        if (!p.binary) continue;
        const raw = new Uint8Array([0xff, 0xfe, 0x00, 0x80, ...new TextEncoder().encode(bytes)]);
        await driver.sendNative(p.name, destination, raw);
        sent.push({ producer: p.name, fns, tag: bytes, expect: (r) => assert.deepEqual({ kind: r.bodyKind, body: r.body }, { kind: 'bytes', body: { base64: Buffer.from(raw).toString('base64') } }) });
      }
      await driver.settle();
      const logs = driver.logs().filter((r) => r.msg === OBSERVED);
      const tagOf = (r: LogRecord): string => (r.bodyKind === 'bytes' ? Buffer.from((r.body as { base64: string }).base64, 'base64').toString('latin1') : JSON.stringify(r.body));
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
          assert.equal(logs.filter((r) => r.fn === fn && tagOf(r).includes(d.tag)).length, 0, `${d.producer}: ${fn} ran on a text body the platform cannot tell apart`);
          const letters = (await driver.deadLetters(d.destination, d.fns.length > 1 ? fn : undefined)).filter((e) => arrived(e.message.body).includes(d.tag));
          assert.equal(letters.length, 1, `${d.producer}: ${letters.length} dead letters hold the text body for ${fn}`);
          assert.equal(letters[0]!.lastError.code, d.code, `${d.producer}: the dead letter's error is ${String(letters[0]!.lastError.code)}: ${letters[0]!.lastError.message}`);
        }
      }
    },
  },

  // ── topic ─────────────────────────────────────────────────────────────────────
  {
    group: 'topic',
    name: 'every subscriber gets every published message',
    async run({ driver }) {
      const run = randomUUID();
      for (let seq = 0; seq < 3; seq++) {
        const res = await driver.fetch(req('/publish', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ run, seq }) }));
        assert.equal(res.status, 202);
      }
      await driver.settle();
      for (const fn of ['subscriberA', 'subscriberB']) {
        const seqs = observed(driver.logs(), fn, run).map((r) => (r.body as WorkBody).seq).sort();
        assert.deepEqual(seqs, [0, 1, 2], `${fn} received ${JSON.stringify(seqs)}`);
      }
    },
  },

  // ── schedule ──────────────────────────────────────────────────────────────────
  {
    group: 'schedule',
    name: 'an on-time tick is not past due',
    async run({ driver }) {
      const before = driver.logs().length;
      await driver.tick('hourly');
      await driver.settle();
      const ticks = driver.logs().slice(before).filter((r) => r.msg === OBSERVED && r.fn === 'hourly');
      assert.equal(ticks.length, 1);
      assert.equal(ticks[0]!.isPastDue, false);
      assert.ok(Date.parse(String(ticks[0]!.actualTime)) >= Date.parse(String(ticks[0]!.scheduledTime)) - 1000);
    },
  },
  {
    group: 'schedule',
    name: 'a late tick is past due and keeps its scheduled time',
    async run({ driver }) {
      const before = driver.logs().length;
      const scheduledTime = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000);
      await driver.tick('hourly', scheduledTime);
      await driver.settle();
      const ticks = driver.logs().slice(before).filter((r) => r.msg === OBSERVED && r.fn === 'hourly');
      assert.equal(ticks.length, 1);
      assert.equal(ticks[0]!.isPastDue, true);
      assert.equal(ticks[0]!.scheduledTime, scheduledTime.toISOString());
    },
  },

  // ── event ─────────────────────────────────────────────────────────────────────
  {
    group: 'event',
    name: 'a storage CloudEvent arrives with its attributes and JSON data',
    async run({ driver }) {
      const run = randomUUID();
      await driver.emit({
        specversion: '1.0',
        id: run,
        source: '//storage.example/buckets/uploads',
        type: 'example.storage.object.finalized',
        subject: 'objects/report.pdf',
        time: new Date().toISOString(),
        datacontenttype: 'application/json',
        data: { run, bucket: 'uploads', name: 'report.pdf', size: 1024 },
      });
      await driver.settle();
      const seen = observed(driver.logs(), 'anyEvent', run);
      assert.equal(seen.length, 1);
      assert.deepEqual(
        { id: seen[0]!.id, type: seen[0]!.type, source: seen[0]!.source, subject: seen[0]!.subject, specversion: seen[0]!.specversion, data: seen[0]!.data },
        {
          id: run,
          type: 'example.storage.object.finalized',
          source: '//storage.example/buckets/uploads',
          subject: 'objects/report.pdf',
          specversion: '1.0',
          data: { run, bucket: 'uploads', name: 'report.pdf', size: 1024 },
        },
      );
    },
  },

  {
    group: 'event',
    name: 'a CloudEvent with JSON data keeps its datacontenttype',
    async run({ driver }) {
      const run = randomUUID();
      await driver.emit({ specversion: '1.0', id: run, source: '//conformance.test/ping', type: 'example.ping', datacontenttype: 'application/json', data: { run, n: 1 } });
      await driver.settle();
      const seen = observed(driver.logs(), 'anyEvent', run);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.datacontenttype, 'application/json');
      assert.deepEqual(seen[0]!.data, { run, n: 1 });
    },
  },

  {
    group: 'event',
    name: 'a CloudEvent keeps its datacontenttype exactly, parameters included',
    async run({ driver }) {
      // In HTTP binary mode the type travels as the Content-Type header (gcp), so it must be carried, not inferred.
      const run = randomUUID();
      const type = 'application/json; charset=utf-8';
      await driver.emit({ specversion: '1.0', id: run, source: '//conformance.test/ping', type: 'example.ping', datacontenttype: type, data: { run, n: 2 } });
      await driver.settle();
      const seen = observed(driver.logs(), 'anyEvent', run);
      assert.equal(seen.length, 1);
      assert.deepEqual({ datacontenttype: seen[0]!.datacontenttype, data: seen[0]!.data }, { datacontenttype: type, data: { run, n: 2 } });
    },
  },

  {
    group: 'event',
    name: "a storage notification in the platform's own format arrives as a CloudEvent naming bucket and object",
    needsStorageNotifications: true,
    async run({ driver }) {
      assert.ok(driver.storageEvent, 'the harness declares storageNotifications but its driver has no storageEvent');
      // A space in the key: S3 form-encodes it, Event Grid and Cloud Storage do not.
      const key = `reports/${randomUUID()} q1.pdf`;
      await driver.storageEvent({ bucket: 'conf-uploads', key, size: 2048, contentType: 'application/pdf' });
      await driver.settle();
      const seen = driver.logs().filter((r) => r.msg === OBSERVED && r.fn === 'anyEvent' && String(r.subject ?? '').endsWith(key));
      assert.equal(seen.length, 1, `observations whose subject ends with the key: ${seen.length}`);
      const e = seen[0]!;
      assert.equal(e.specversion, '1.0');
      assert.match(String(e.source), /conf-uploads|storageAccounts/, `source ${String(e.source)} names neither the bucket nor the account`);
      assert.match(String(e.type), /(object|blob)/i);
      assert.match(String(e.type), /(creat|final|put)/i);
      assert.ok(typeof e.data === 'object' && e.data !== null, 'the notification data arrives as JSON');
      assert.ok(JSON.stringify(e.data).includes('2048'), 'the data carries the object size');
    },
  },

  // ── context ───────────────────────────────────────────────────────────────────
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
        req('/enqueue/work', { method: 'POST', headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` }, body: JSON.stringify([{ run }]) }),
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

  // ── errors ────────────────────────────────────────────────────────────────────
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

/** Proves an unsupported capability is refused with CAPABILITY_UNSUPPORTED, not ignored. */
export function assertRefused(adapter: { name: string; capabilities: Capabilities }, define: (app: ReturnType<typeof createApp>) => void): void {
  const app = createApp('needs-capability');
  define(app);
  const problems = findUnsupported(app, adapter);
  assert.ok(problems.length > 0, `${adapter.name} claims to lack the capability but accepts a definition that needs it`);
  assert.ok(problems.every((p) => p.code === 'CAPABILITY_UNSUPPORTED'));
}
