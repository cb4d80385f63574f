import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS, fuzzDecoder, mutatedEvent, readDeep, vendorFixture } from '../../conformance/security/fuzz.js';
import { decodeCloudEvent } from './decode-cloud-event.js';
import { decodePubsub, toQueueMessage } from './decode-pubsub.js';
import { decodeSchedule } from './decode-schedule.js';

const fixtures = (folder: string, match: (file: string) => boolean = () => true): unknown[] =>
  readdirSync(new URL(`../../../shared/fixtures/google/${folder}/`, import.meta.url))
    .filter((f) => f.endsWith('.json') && match(f))
    .map((f) => vendorFixture(`google/${folder}/${f}`, import.meta.url));

const cloudEvents = (): unknown[] => ['pubsub', 'storage', 'firestore', 'scheduler'].flatMap((folder) => fixtures(folder, (f) => f.startsWith('cloudevent-')));
/** Pub/Sub deliveries as the framework hands them: CloudEvents, and bare MessagePublishedData under `data`. */
const pubsubEvents = (): unknown[] => [
  ...fixtures('pubsub', (f) => f.startsWith('cloudevent-')),
  ...fixtures('pubsub', (f) => f.startsWith('ce-data-') || f.startsWith('push-')).map((data) => ({ id: 'evt-1', time: '2024-01-01T00:00:00Z', data })),
];
const OP = 'queue "orders" consumer "fulfil"';

const decoders: readonly { name: string; seeds: () => unknown[]; decode: (event: unknown) => unknown }[] = [
  { name: 'decodeCloudEvent', seeds: cloudEvents, decode: (e) => readDeep(decodeCloudEvent(e, 'event "onEvent"')) },
  { name: 'decodePubsub', seeds: pubsubEvents, decode: (e) => readDeep(decodePubsub(e as never, OP)) },
  { name: 'toQueueMessage(decodePubsub)', seeds: pubsubEvents, decode: (e) => readDeep(toQueueMessage(decodePubsub(e as never, OP), OP)) },
  { name: 'decodeSchedule', seeds: () => [...fixtures('scheduler'), ...cloudEvents()], decode: (e) => readDeep(decodeSchedule({ event: decodeCloudEvent(e, 'schedule "nightly"') })) },
];

/**
 * Known gaps, as data with their reason (pollution and unhandled rejections are still checked
 * on every run); an entry must go once its decoder refuses every bad input with a path.
 */
const KNOWN_UNTYPED: Readonly<Record<string, string>> = {};

describe('gcp decoders under fuzzing (vendor fixtures, mutated)', () => {
  it.each(decoders)('$name: decodes or refuses with a typed error naming the field; never pollutes, never rejects unhandled', async ({ name, seeds, decode }) => {
    const known = KNOWN_UNTYPED[name];
    const figures = await fuzzDecoder(name, mutatedEvent(seeds()), decode, known ? { knownUntyped: known } : {});
    expect(figures.runs).toBe(FUZZ_RUNS);
  }, 300_000);
});
