import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { safeStringify, type LogRecord } from '../../src/index.js';
import { resetSecretRedaction } from '../../src/redact-secrets.js';
import { createConformanceApp } from '../functions/app.js';
import type { ConformanceDriver, ConformanceHarness } from '../harness.js';
import { CANARY_QUEUES, CONTEXT_TEXT, createCanaryApp } from './canary-app.js';
import { CANARY_ENV, canaryEnvironment, createCanaries, findLeaks, plantEnvironment, type Canaries, type Leak } from './canaries.js';
import { securityExpectedFailures } from './expected-failures.js';
import { HARNESSES } from './harnesses.js';

const canaries: Canaries = createCanaries();
const environment = canaryEnvironment(canaries);

// Every canary of the environment is in process.env before any adapter loads; faasport reads
// its scrubber once per process, so it is reset to see them.
let restoreEnvironment: () => void;
beforeAll(() => {
  restoreEnvironment = plantEnvironment(environment);
  resetSecretRedaction();
});
afterAll(() => {
  restoreEnvironment();
  resetSecretRedaction();
});

/** The headers and query every request carries: secrets a client sends that must never be echoed. */
function secretHeaders(): Record<string, string> {
  return {
    authorization: `Bearer ${canaries.authorization}`,
    cookie: `session=${canaries.cookie}; theme=dark`,
    'x-functions-key': canaries['functions-key'],
    'content-type': 'application/json',
  };
}
const code = `code=${encodeURIComponent(canaries['query-code'])}`;

/** Requests that end in an error answer, each carrying every client-side secret. */
const attacks: readonly { readonly name: string; readonly request: (maxBodyBytes: number) => Request }[] = [
  { name: 'a handler that throws', request: () => new Request(`http://platform.test/boom?${code}`, { headers: secretHeaders() }) },
  { name: 'a route that does not exist', request: () => new Request(`http://platform.test/no/such/route?${code}`, { headers: secretHeaders() }) },
  {
    name: 'a method the route refuses',
    request: () => new Request(`http://platform.test/users/a/items/b?${code}`, { method: 'DELETE', headers: secretHeaders() }),
  },
  { name: 'a handler that answers 500', request: () => new Request(`http://platform.test/status/500?${code}`, { headers: secretHeaders() }) },
  {
    name: 'a JSON body the handler cannot parse',
    request: () =>
      new Request(`http://platform.test/enqueue/work?${code}`, { method: 'POST', headers: secretHeaders(), body: `[{"run":"x","password":"${canaries.body}"` }),
  },
  {
    name: 'a body that is not JSON at all',
    request: () => new Request(`http://platform.test/enqueue/work?${code}`, { method: 'POST', headers: secretHeaders(), body: `password=${canaries.body}` }),
  },
  {
    name: 'a short secret sent as the whole body',
    request: () => new Request(`http://platform.test/enqueue/work?${code}`, { method: 'POST', headers: secretHeaders(), body: canaries['short-body'] }),
  },
  {
    name: 'a body over the platform limit',
    request: (max) =>
      new Request(`http://platform.test/echo/big?${code}`, {
        method: 'POST',
        headers: secretHeaders(),
        body: `{"password":"${canaries.body}","pad":"${'x'.repeat(max)}"}`,
      }),
  },
];

describe.each(HARNESSES)('secrets stay out of logs, error answers and dead letters on $name', ({ name, load }) => {
  let harness: ConformanceHarness;

  beforeAll(async () => {
    harness = await load();
  }, 120_000);

  describe.each([true, false])('production %s', (production) => {
    let driver: ConformanceDriver;
    beforeAll(async () => {
      driver = await harness.start(createConformanceApp({ fifo: harness.adapter.capabilities.fifo }), { production });
    }, 120_000);
    afterAll(async () => {
      await driver?.stop();
    }, 60_000);

    it.each(attacks)(
      '$name: the answer and its log lines hold no canary',
      async (attack) => {
        const check = async (): Promise<void> => {
          const before = driver.logs().length;
          // What the platform's own code prints (a framework's error logging) is a log line too.
          const printed: string[] = [];
          const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' ')));
          let res: Response;
          try {
            res = await driver.fetch(attack.request(harness.adapter.capabilities.maxHttpBodyBytes));
          } finally {
            spy.mockRestore();
          }
          const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
          const leaks = findLeaks(canaries, `answer ${res.status}`, `${headers}\n\n${await res.text()}`);
          leaks.push(...findLeaks(canaries, 'console.error', printed.join('\n')));
          for (const [i, record] of driver.logs().slice(before).entries()) leaks.push(...findLeaks(canaries, `log line ${before + i}`, safeStringify(record)));
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(leaks).toEqual([]);
        };
        const known = securityExpectedFailures.find(
          (e) => e.adapter === name && e.test === attack.name && (e.production === undefined || e.production === production),
        );
        if (!known) return check();
        await expect(check(), `now passes on ${name}: remove it from conformance/security/expected-failures.ts`).rejects.toThrow();
      },
      120_000,
    );

    it('a message that fails maxAttempts times, sent by a request full of secrets: no canary in its dead letter or any log line', async () => {
      const run = randomUUID();
      const enqueued = await driver.fetch(
        new Request(`http://platform.test/enqueue/work?${code}`, { method: 'POST', headers: secretHeaders(), body: JSON.stringify([{ run, failUntil: 99 }]) }),
      );
      expect(enqueued.status).toBe(202);
      await driver.settle(60_000);
      const dead = await driver.deadLetters('work');
      expect(dead.some((e) => (e.message.body as { run?: string }).run === run)).toBe(true);
      const leaks = findLeaks(canaries, 'dead-letter envelopes', safeStringify(dead));
      // Log lines of the attacks above that are known to leak are not held against this case.
      const knownLeaky = new Set(
        securityExpectedFailures.filter((e) => e.adapter === name && (e.production === undefined || e.production === production)).map((e) => e.place),
      );
      for (const [i, record] of driver.logs().entries()) {
        leaks.push(...findLeaks(canaries, `log line ${i}`, safeStringify(record)).filter((l) => !knownLeaky.has(l.place)));
      }
      expect(leaks).toEqual([]);
    }, 120_000);
  });
});

/** Every adapter that logs through faasport: the built-in four and the third-party example. */
const ALL_HARNESSES: readonly { readonly name: string; readonly load: () => Promise<ConformanceHarness> }[] = [
  ...HARNESSES,
  { name: 'knative (examples/custom-adapter)', load: async () => (await import('../../examples/custom-adapter/harness.js')).conformanceHarness() },
];

/** What the process prints while `fn` runs (console and raw stdout/stderr writes), kept from the terminal. */
async function capturePrinted<T>(fn: () => Promise<T>): Promise<{ value: T; printed: string }> {
  const printed: string[] = [];
  // As the console would print them (inspect, not faasport's own redacting stringify).
  const keep = (...args: unknown[]): void =>
    void printed.push(args.map((a) => (typeof a === 'string' ? a : a instanceof Uint8Array ? Buffer.from(a).toString() : inspect(a, { depth: 10 }))).join(' '));
  const spies = [
    vi.spyOn(console, 'error').mockImplementation(keep),
    vi.spyOn(console, 'warn').mockImplementation(keep),
    vi.spyOn(console, 'log').mockImplementation(keep),
    vi.spyOn(console, 'info').mockImplementation(keep),
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (keep(chunk), true)),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => (keep(chunk), true)),
  ];
  try {
    return { value: await fn(), printed: printed.join('\n') };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

function logLeaks(records: readonly LogRecord[]): Leak[] {
  return records.flatMap((record, i) => findLeaks(canaries, `log line ${i} (${record.msg})`, safeStringify(record)));
}

/** The non-secret text a redacted failure must still carry, so the scan above cannot pass by writing nothing. */
function expectContextKept(text: string, what: string): void {
  expect(text, what).toContain(CONTEXT_TEXT);
  expect(text, what).toContain('[redacted]');
}

describe.each(ALL_HARNESSES)('secrets of the environment put into errors, non-Errors and log fields are redacted on $name', ({ load }) => {
  let harness: ConformanceHarness;
  beforeAll(async () => {
    harness = await load();
  }, 120_000);

  describe.each([true, false])('production %s', (production) => {
    let driver: ConformanceDriver;
    beforeAll(async () => {
      driver = await harness.start(createCanaryApp({ ...harness.adapter.capabilities, name: harness.adapter.name }), { production });
    }, 120_000);
    afterAll(async () => {
      await driver?.stop();
    }, 60_000);

    it.each([
      ['an Error', '/leak/error', 'throwsError'],
      ['a string', '/leak/string', 'throwsString'],
      ['a non-Error object', '/leak/object', 'throwsObject'],
    ])(
      'an HTTP handler that throws %s holding them: no canary in the answer, log lines or output; the error text stays',
      async (_what, path, fn) => {
        const before = driver.logs().length;
        const { value: answer, printed } = await capturePrinted(async () => {
          const res = await driver.fetch(new Request(`http://platform.test${path}`));
          return { status: res.status, text: `${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${await res.text()}` };
        });
        const records = driver.logs().slice(before);
        expect(answer.status).toBe(500);
        expect([...findLeaks(canaries, 'answer', answer.text), ...logLeaks(records), ...findLeaks(canaries, 'printed', printed)]).toEqual([]);
        const failed = records.find((r) => r.msg === 'handler failed' && r.functionName === fn);
        expect(failed, `a "handler failed" line for ${fn}`).toBeDefined();
        expectContextKept(safeStringify(failed), 'the handler failed line');
        if (fn === 'throwsError') {
          // What is no secret stays readable: a plain variable, and a secret name whose value is "true".
          expect(safeStringify(failed)).toContain(environment[CANARY_ENV.region]);
          expect(safeStringify(failed)).toContain('(flag true)');
          expect(safeStringify(failed)).toContain('AccountName=canary;AccountKey=[redacted];EndpointSuffix');
        }
        if (fn !== 'throwsError') expect((failed!.error as { name: string }).name).toBe('NonError');
        if (production) expect(answer.text).toContain('Internal Server Error');
        else expectContextKept(answer.text, 'the development error answer');
      },
      60_000,
    );

    it('ctx.log fields: redact paths and secret values are [redacted], other fields kept', async () => {
      const before = driver.logs().length;
      const { value: status, printed } = await capturePrinted(async () => (await driver.fetch(new Request('http://platform.test/leak/log'))).status);
      expect(status).toBe(200);
      const records = driver.logs().slice(before);
      expect([...logLeaks(records), ...findLeaks(canaries, 'printed', printed)]).toEqual([]);
      const line = records.find((r) => r.msg === 'calling the payment service');
      expect(line).toMatchObject({
        user: 'ada',
        password: '[redacted]',
        card: { number: '[redacted]', brand: 'visa' },
        headers: { authorization: '[redacted]', accept: 'application/json' },
        dsn: '[redacted]',
        upstream: { name: 'Error' },
      });
      expectContextKept((line!.upstream as { message: string }).message, 'an Error in a field');
      expectContextKept(line!.note as string, 'a string field');
      expect(safeStringify(records)).not.toMatch(/form-password-42|4242424242424242|YWRhOmZvcm0tcGFzc3dvcmQ/);
    }, 60_000);

    it('queue consumers that throw an Error and a non-Error holding them: no canary in dead letters, log lines or output; the error text stays', async () => {
      const before = driver.logs().length;
      const { value: dead, printed } = await capturePrinted(async () => {
        const res = await driver.fetch(new Request('http://platform.test/leak/enqueue', { method: 'POST' }));
        expect(res.status).toBe(202);
        await driver.settle(60_000);
        return { error: await driver.deadLetters(CANARY_QUEUES.error), nonError: await driver.deadLetters(CANARY_QUEUES.nonError) };
      });
      const records = driver.logs().slice(before);
      expect(dead.error.length).toBeGreaterThanOrEqual(1);
      expect(dead.nonError.length).toBeGreaterThanOrEqual(1);
      expect([...findLeaks(canaries, 'dead letters', safeStringify(dead)), ...logLeaks(records), ...findLeaks(canaries, 'printed', printed)]).toEqual([]);
      expectContextKept(dead.error[0]!.lastError.message, 'the lastError of an Error');
      expect(dead.nonError[0]!.lastError.name).toBe('NonError');
      expect(dead.nonError[0]!.lastError.message).toMatch(/^a non-Error object was thrown: /);
      expectContextKept(dead.nonError[0]!.lastError.message, 'the lastError of a non-Error');
      const failed = records.filter((r) => r.msg === 'handler failed' && (r.functionName === 'leakyWorker' || r.functionName === 'leakyRawWorker'));
      expect(failed.length).toBeGreaterThanOrEqual(2);
      for (const r of failed) expectContextKept(safeStringify(r), "a consumer's handler failed line");
    }, 120_000);

    it('an event function and a schedule that throw an Error holding them: no canary in log lines, output or what the platform is handed', async () => {
      const before = driver.logs().length;
      const { value: thrown, printed } = await capturePrinted(async () => {
        const problems: string[] = [];
        await driver
          .emit({ specversion: '1.0', id: randomUUID(), source: '/canary', type: 'canary.leak', data: { user: 'ada' } })
          .catch((err: unknown) => void problems.push(String((err as Error)?.stack ?? err)));
        await driver.tick('leakyTick').catch((err: unknown) => void problems.push(String((err as Error)?.stack ?? err)));
        // Some platforms deliver both asynchronously (Pub/Sub, a broker).
        await driver.settle(60_000).catch((err: unknown) => void problems.push(String((err as Error)?.stack ?? err)));
        return problems.join('\n');
      });
      const records = driver.logs().slice(before);
      expect([...logLeaks(records), ...findLeaks(canaries, 'printed', printed), ...findLeaks(canaries, 'thrown to the caller', thrown)]).toEqual([]);
      for (const fn of ['leakyEvent', 'leakyTick']) {
        const failed = records.find((r) => r.msg === 'handler failed' && r.functionName === fn);
        expect(failed, `a "handler failed" line for ${fn}`).toBeDefined();
        expectContextKept(safeStringify(failed), `the handler failed line of ${fn}`);
      }
    }, 120_000);
  });
});
