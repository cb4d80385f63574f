import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS, fuzzDecoder, mutatedEvent, platformHttpParts, readDeep, vendorFixture } from '../../../conformance/security/fuzz.js';
import { decodeCloudEvent } from './decode-cloud-event.js';
import { decodePubsub, toQueueMessage } from './decode-pubsub.js';
import { decodeSchedule } from './decode-schedule.js';
import { decodeDeadLetter, PUBSUB_DEAD_LETTER_ATTRIBUTES } from './decode-dead-letter.js';
import { DEAD_LETTER_ATTRIBUTES } from './encode-dead-letter.js';
import { decodeExpressRequest, type ExpressRequestLike } from './decode-express-request.js';
import { compileTrustProxy } from 'faasport';

const fixtures = (folder: string, match: (file: string) => boolean = () => true): unknown[] =>
  readdirSync(new URL(`../../../conformance/fixtures/google/${folder}/`, import.meta.url))
    .filter((f) => f.endsWith('.json') && match(f))
    .map((f) => vendorFixture(`google/${folder}/${f}`));

const cloudEvents = (): unknown[] => ['pubsub', 'storage', 'firestore', 'scheduler'].flatMap((folder) => fixtures(folder, (f) => f.startsWith('cloudevent-')));
/** Pub/Sub deliveries as the framework hands them: CloudEvents, and bare MessagePublishedData under `data`. */
const pubsubEvents = (): unknown[] => [
  ...fixtures('pubsub', (f) => f.startsWith('cloudevent-')),
  ...fixtures('pubsub', (f) => f.startsWith('ce-data-') || f.startsWith('push-')).map((data) => ({ id: 'evt-1', time: '2024-01-01T00:00:00Z', data })),
];
const OP = 'queue "orders" consumer "fulfil"';

/** Dead letters as faasport writes them (with the original id and error) and as Pub/Sub forwards them itself. */
function deadLetterSeeds(): unknown[] {
  const data = Buffer.from(JSON.stringify({ id: 'o1', item: 'poison' })).toString('base64');
  return [
    {
      id: 'dl-1',
      data,
      publishTime: '2026-01-02T03:04:05.000Z',
      orderingKey: 'customer-7',
      attributes: {
        source: 'web',
        [DEAD_LETTER_ATTRIBUTES.messageId]: 'm-1',
        [DEAD_LETTER_ATTRIBUTES.attempts]: '5',
        [DEAD_LETTER_ATTRIBUTES.error]: JSON.stringify({ name: 'Error', message: 'cannot fulfil order o1' }),
        [DEAD_LETTER_ATTRIBUTES.firstAttemptAt]: '2026-01-02T03:00:00.000Z',
        [DEAD_LETTER_ATTRIBUTES.functionName]: 'fulfil',
        [DEAD_LETTER_ATTRIBUTES.queue]: 'orders',
      },
    },
    {
      id: 'dl-2',
      data,
      publishTime: '2026-01-02T03:04:05.000Z',
      attributes: {
        [PUBSUB_DEAD_LETTER_ATTRIBUTES.deliveryCount]: '5',
        [PUBSUB_DEAD_LETTER_ATTRIBUTES.subscription]: 'projects/p/subscriptions/shop-orders-fulfil',
        [PUBSUB_DEAD_LETTER_ATTRIBUTES.subscriptionProject]: 'p',
        [PUBSUB_DEAD_LETTER_ATTRIBUTES.topicPublishTime]: '2026-01-02T03:00:00.000Z',
      },
    },
  ];
}

/** Requests as the Functions Framework's Express sees them: a request line, headers and a body. */
function httpSeeds(): unknown[] {
  const headers = {
    host: 'shop-abc-uc.a.run.app',
    'user-agent': 'curl/8.5.0',
    accept: '*/*',
    'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1',
    traceparent: '00-105445aa7843bc8bf206b12000100000-0000000000000001-01',
    'x-forwarded-for': '6.6.6.6, 203.0.113.7',
    'x-forwarded-proto': 'https',
  };
  return [
    { method: 'GET', target: '/hello/ada?tag=a&tag=b', headers, body: null },
    { method: 'POST', target: '/orders', headers: { ...headers, 'content-type': 'application/json' }, body: '{"id":"o1","qty":2}' },
    { method: 'GET', target: 'http://evil.example/hello/x', headers, body: null },
  ];
}

/**
 * What the framework's Express can hand faasport: a known method, any request target the
 * Node HTTP parser passes (fuzzed as a string), header pairs it accepts, the raw body bytes.
 * A mutated field outside that cannot arrive and falls back.
 */
function frameworkRequest(event: unknown): ExpressRequestLike {
  const { fields: m, method, headers: pairs } = platformHttpParts(event);
  const target = typeof m.target === 'string' && !/[\s\u0000-\u001f\u007f]/.test(m.target) && m.target.length > 0 ? m.target : '/';
  const rawHeaders = pairs.flat();
  const headers = Object.fromEntries(pairs.map(([k, v]) => [k.toLowerCase(), v]));
  const rawBody = typeof m.body === 'string' ? Buffer.from(m.body) : undefined;
  return {
    method,
    originalUrl: target,
    rawHeaders,
    headers,
    protocol: headers['x-forwarded-proto'] === 'https' ? 'https' : 'http',
    ...(rawBody ? { rawBody } : {}),
    readable: false,
    socket: { remoteAddress: '::ffff:169.254.8.1' },
    get: (name: string) => headers[name.toLowerCase()],
  } as unknown as ExpressRequestLike;
}

const trustOne = compileTrustProxy(1, 'fuzz');

const decoders: readonly { name: string; seeds: () => unknown[]; decode: (event: unknown) => unknown }[] = [
  { name: 'decodeCloudEvent', seeds: cloudEvents, decode: (e) => readDeep(decodeCloudEvent(e, 'event "onEvent"')) },
  { name: 'decodePubsub', seeds: pubsubEvents, decode: (e) => readDeep(decodePubsub(e as never, OP)) },
  { name: 'toQueueMessage(decodePubsub)', seeds: pubsubEvents, decode: (e) => readDeep(toQueueMessage(decodePubsub(e as never, OP), OP)) },
  {
    // What the Pub/Sub client returns from a dead-letter subscription: data and publishTime
    // are seeded as JSON (base64, ISO) and turned back into bytes and a Date before decoding.
    name: 'decodeDeadLetter',
    seeds: deadLetterSeeds,
    decode: (e) => {
      const m = e as Record<string, unknown> | null;
      const message =
        typeof m === 'object' && m !== null && !Array.isArray(m)
          ? {
              ...m,
              data: typeof m.data === 'string' ? Buffer.from(m.data, 'base64') : m.data,
              publishTime: typeof m.publishTime === 'string' ? new Date(m.publishTime) : m.publishTime,
            }
          : m;
      return readDeep(decodeDeadLetter(message as never, { queue: 'orders', functionFor: (s) => s ?? 'fulfil' }));
    },
  },
  {
    name: 'decodeExpressRequest',
    seeds: httpSeeds,
    decode: async (e) => {
      const request = decodeExpressRequest(frameworkRequest(e), 1024 * 1024, trustOne);
      void request.url;
      void request.method;
      void [...request.headers].length;
      await request.text();
    },
  },
  {
    name: 'decodeSchedule',
    seeds: () => [...fixtures('scheduler'), ...cloudEvents()],
    decode: (e) => readDeep(decodeSchedule({ event: decodeCloudEvent(e, 'schedule "nightly"') })),
  },
];

/**
 * Known gaps, as data with their reason (pollution and unhandled rejections are still checked
 * on every run); an entry must go once its decoder refuses every bad input with a path.
 */
const KNOWN_UNTYPED: Readonly<Record<string, string>> = {};

describe('gcp decoders under fuzzing (vendor fixtures, mutated)', () => {
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
