import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS, fuzzDecoder, mutatedEvent, platformHttpParts, readDeep, vendorFixture } from '../../../conformance/security/fuzz.js';
import { decodeEventGridEvent } from './decode-event-grid.js';
import { decodeServiceBusMessage } from './decode-service-bus.js';
import { decodeStorageQueueMessage } from './decode-storage-queue.js';
import { decodeTimer } from './decode-timer.js';
import { decodePoisonMessage } from './decode-dead-letter.js';
import azureFunctions from '@azure/functions';
import { decodeHttpRequest } from './decode-http-request.js';
import { compileTrustProxy } from 'faasport';
import { ENVELOPE_MARKER } from './encode-storage-queue-message.js';

const fixture = (path: string): unknown => vendorFixture(`azure/${path}`);
const folder = (name: string): unknown[] =>
  readdirSync(new URL(`../../../conformance/fixtures/azure/${name}/`, import.meta.url))
    .filter((f) => f.endsWith('.json'))
    .map((f) => fixture(`${name}/${f}`));

/** What the library hands a queue function: the trigger value and its camelCase trigger metadata (the *.expected.* fixtures). */
const queueInvocation = (path: string, trigger: string): { item: unknown; metadata: unknown } => {
  const metadata = fixture(path) as Record<string, unknown>;
  return { item: metadata[trigger] ?? metadata, metadata };
};

/** The Python library's timer binding value in the Node library's camelCase form. */
function camelCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCase);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), camelCase(v)]));
}

/** Poison messages: ones the host moved (as sent, base64, plain text), one faasport wrote with its envelope. */
function poisonSeeds(): unknown[] {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');
  return [
    { messageId: 'p1', messageText: b64({ id: 'o1', item: 'poison' }), insertedOn: '2026-01-02T03:04:05.000Z' },
    {
      messageId: 'p2',
      messageText: b64({
        [ENVELOPE_MARKER]: 1,
        deadLetter: {
          message: { id: 'm1', body: { id: 'o2' }, attributes: {}, enqueuedAt: '2026-01-02T03:00:00.000Z' },
          queue: 'orders',
          functionName: 'fulfil',
          attempts: 3,
          lastError: { name: 'Error', message: 'x' },
          firstAttemptAt: '2026-01-02T03:00:00.000Z',
          deadLetteredAt: '2026-01-02T03:04:05.000Z',
        },
      }),
    },
    { messageId: 'p3', messageText: 'not base64!' },
    { messageId: 'p4', messageText: JSON.stringify({ id: 'o4', item: 'poison' }) },
  ];
}

/** The vendor HTTP trigger fixture as request seeds: its headers, a method, a URL and a body. */
function httpSeeds(): unknown[] {
  const metadata = fixture('http/nodejs-library-rpc-trigger-metadata-http.transcribed.json') as { Headers: { json: string } };
  const headers = JSON.parse(metadata.Headers.json) as Record<string, string>;
  return [
    { method: 'GET', url: 'http://localhost:7071/api/hello/ada?tag=a&tag=b', headers, body: null },
    {
      method: 'POST',
      url: 'http://localhost:7071/api/orders',
      headers: { ...headers, 'content-type': 'application/json', 'x-forwarded-for': '6.6.6.6, 203.0.113.7:5000' },
      body: '{"id":"o1","qty":2}',
    },
  ];
}

/**
 * What the Functions host can hand the library: a known method, an absolute http(s) URL,
 * header pairs an HTTP parser accepts, a string body. Mutated fields outside that (a number
 * for a method, a header value with a newline) cannot arrive, so they fall back here, as the
 * host's own HTTP layer would have refused them; everything inside it is fuzzed.
 */
function hostRequest(event: unknown): InstanceType<typeof azureFunctions.HttpRequest> {
  const { fields: m, method, headers: pairs } = platformHttpParts(event);
  const url = typeof m.url === 'string' && /^https?:\/\//i.test(m.url) && URL.canParse(m.url) ? m.url : 'http://localhost:7071/api/fallback';
  const headers = Object.fromEntries(pairs);
  const body = typeof m.body === 'string' && method !== 'GET' && method !== 'HEAD' ? { body: { string: m.body } } : {};
  return new azureFunctions.HttpRequest({ method, url, headers, ...body });
}

const trustOne = compileTrustProxy(1, 'fuzz');

type Invocation = { item?: unknown; metadata?: unknown } | undefined;
const decoders: readonly { name: string; seeds: () => unknown[]; decode: (event: unknown) => unknown }[] = [
  {
    name: 'decodeStorageQueueMessage',
    seeds: () => [queueInvocation('storage-queue/nodejs-library-rpc-trigger-metadata-queue.expected.transcribed.json', 'queueTrigger')],
    decode: (e) => readDeep(decodeStorageQueueMessage((e as Invocation)?.item, (e as Invocation)?.metadata as never, 'invocation-1')),
  },
  {
    name: 'decodeServiceBusMessage',
    seeds: () => [queueInvocation('service-bus/nodejs-library-rpc-trigger-metadata-servicebus.expected.transcribed.json', 'serviceBusTrigger')],
    decode: (e) => readDeep(decodeServiceBusMessage((e as Invocation)?.item, (e as Invocation)?.metadata as never, 'invocation-1')),
  },
  {
    name: 'decodeTimer',
    seeds: () => [camelCase(fixture('timer/python-library-timer-binding-value.extracted.json'))],
    decode: (e) => readDeep(decodeTimer(e as never)),
  },
  {
    // What @azure/storage-queue's peekMessages returns from a <queue>-poison queue; insertedOn is
    // seeded as an ISO string and turned back into a Date before decoding.
    name: 'decodePoisonMessage',
    seeds: poisonSeeds,
    decode: (e) => {
      const m = e as Record<string, unknown> | null;
      const message =
        typeof m === 'object' && m !== null && !Array.isArray(m)
          ? { ...m, insertedOn: typeof m.insertedOn === 'string' ? new Date(m.insertedOn) : m.insertedOn }
          : m;
      return readDeep(decodePoisonMessage(message as never, { queue: 'orders', storageQueue: 'orders', functionName: 'fulfil', hostMaxAttempts: 5 }));
    },
  },
  {
    name: 'decodeHttpRequest',
    seeds: httpSeeds,
    decode: async (e) => {
      const request = decodeHttpRequest(hostRequest(e), trustOne);
      void request.url;
      void request.method;
      void [...request.headers].length;
      await request.text();
    },
  },
  { name: 'decodeEventGridEvent', seeds: () => folder('event-grid'), decode: (e) => readDeep(decodeEventGridEvent(e, 'event "onEvent"')) },
];

/**
 * Known gaps, as data with their reason (pollution and unhandled rejections are still checked
 * on every run); an entry must go once its decoder refuses every bad input with a path.
 */
const KNOWN_UNTYPED: Readonly<Record<string, string>> = {};

describe('azure decoders under fuzzing (vendor fixtures, mutated)', () => {
  it.each(decoders)(
    '$name: decodes or refuses with a typed error naming the field; never pollutes, never rejects unhandled',
    async ({ name, seeds, decode }) => {
      const known = KNOWN_UNTYPED[name];
      const figures = await fuzzDecoder(name, mutatedEvent(seeds()), decode, known ? { knownUntyped: known } : {});
      expect(figures.runs).toBe(FUZZ_RUNS);
    },
    300_000,
  );
});
