import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeCloudEvent } from './decode-cloud-event.js';
import { decodePubsub } from './decode-pubsub.js';
import { carryBinaryContentType } from './framework.js';
import { decodeSchedule, GCP_PAST_DUE_AFTER_MS } from './decode-schedule.js';
import { loadFixture } from '../testing/load-fixture.js';

describe.each([
  {
    file: 'google/storage/cloudevent-finalized.json',
    type: 'google.cloud.storage.object.v1.finalized',
    subject: 'objects/folder/Test.cs',
    field: ['size', '352'],
  },
  {
    file: 'google/storage/cloudevent-workflows-variant.json',
    type: 'google.cloud.storage.object.v1.finalized',
    subject: undefined,
    field: ['bucket', undefined],
  },
  { file: 'google/firestore/cloudevent-written.json', type: 'google.cloud.firestore.document.v1.written', subject: undefined, field: ['value', undefined] },
  {
    file: 'google/pubsub/cloudevent-structured-with-ordering-key.json',
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    subject: undefined,
    field: ['subscription', 'projects/test-project/subscriptions/my-subscription'],
  },
])('decodeCloudEvent($file)', ({ file, type, subject, field }) => {
  test('keeps the vendor attributes and data', () => {
    const fixture = loadFixture(file);
    const event = decodeCloudEvent(fixture, 'test');
    expect(event.type).toBe(type);
    expect(event.id).toBe(fixture.id);
    expect(event.source).toBe(fixture.source);
    if (subject) expect(event.subject).toBe(subject);
    const data = event.data as Record<string, unknown>;
    expect(Object.keys(data)).toContain(field[0]);
    if (field[1] !== undefined) expect(data[field[0]!]).toBe(field[1]);
  });
});

describe('decodeCloudEvent', () => {
  test('binary-mode bytes become a Uint8Array view', () => {
    const event = decodeCloudEvent({ specversion: '1.0', id: '1', source: '//x', type: 't', data: Buffer.from([0, 255]) }, 'test');
    expect(event.data).toBeInstanceOf(Uint8Array);
    expect([...(event.data as Uint8Array)]).toEqual([0, 255]);
  });

  test.each([
    { data: { n: 1 }, type: 'application/json' },
    { data: 'text', type: 'text/plain' },
    { data: Buffer.from([1]), type: 'application/octet-stream' },
  ])('an event without datacontenttype gets the one its data shows ($type); one that names it keeps it', ({ data, type }) => {
    expect(decodeCloudEvent({ specversion: '1.0', id: '1', source: '//x', type: 't', data }, 'test').datacontenttype).toBe(type);
    expect(decodeCloudEvent({ specversion: '1.0', id: '1', source: '//x', type: 't', datacontenttype: 'application/xml', data }, 'test').datacontenttype).toBe(
      'application/xml',
    );
    expect(decodeCloudEvent({ specversion: '1.0', id: '1', source: '//x', type: 't' }, 'test').datacontenttype).toBeUndefined();
  });

  test("the framework's binary-mode context gets the Content-Type, once however often it is hooked", () => {
    const req = createRequire(import.meta.url);
    const cloudEvents = req(join(dirname(req.resolve('@google-cloud/functions-framework')), 'cloud_events.js')) as {
      getBinaryCloudEventContext(r: unknown): Record<string, unknown>;
    };
    expect(carryBinaryContentType()).toBe(true);
    const hooked = cloudEvents.getBinaryCloudEventContext;
    expect(carryBinaryContentType()).toBe(true);
    expect(cloudEvents.getBinaryCloudEventContext).toBe(hooked);
    const headers: Record<string, string> = { 'ce-id': '1', 'ce-type': 't', 'content-type': 'text/csv; header=present' };
    const context = hooked({ headers, header: (name: string) => headers[name.toLowerCase()] });
    expect(context).toEqual({ id: '1', type: 't', datacontenttype: 'text/csv; header=present' });
  });

  test('an event without a type is EVENT_INVALID', () => {
    expect(() => decodeCloudEvent({ specversion: '1.0', id: '1', source: '//x' }, 'event "e"')).toThrow(expect.objectContaining({ code: 'EVENT_INVALID' }));
  });
});

describe('decodeSchedule', () => {
  const published = (publishTime: string, deliveryAttempt?: number) =>
    decodePubsub({ data: { message: { data: '', messageId: 's-1', publishTime }, ...(deliveryAttempt ? { deliveryAttempt } : {}) } }, 't');

  test('through Pub/Sub the slot is the publish time; on time is not past due', () => {
    const now = new Date('2024-05-01T03:00:02Z');
    const tick = decodeSchedule({ delivery: published('2024-05-01T03:00:00.500Z') }, now);
    expect(tick).toEqual({ scheduledTime: new Date('2024-05-01T03:00:00.500Z'), actualTime: now, isPastDue: false });
  });

  test('late beyond the threshold, or redelivered, is past due', () => {
    const now = new Date('2024-05-01T03:00:00Z');
    expect(decodeSchedule({ delivery: published(new Date(now.getTime() - GCP_PAST_DUE_AFTER_MS - 1).toISOString()) }, now).isPastDue).toBe(true);
    expect(decodeSchedule({ delivery: published(now.toISOString(), 2) }, now).isPastDue).toBe(true);
  });

  test("Cloud Scheduler's own event: the slot is the event time (fixture data is the job's custom data)", () => {
    const data = loadFixture('google/scheduler/ce-data-job-custom-data.json');
    const event = decodeCloudEvent(
      {
        specversion: '1.0',
        id: 'j',
        source: '//cloudscheduler.googleapis.com/projects/p/locations/l/jobs/nightly',
        type: 'google.cloud.scheduler.job.v1.executed',
        time: '2024-05-01T03:00:00Z',
        data,
      },
      't',
    );
    const tick = decodeSchedule({ event }, new Date('2024-05-01T03:00:01Z'));
    expect(tick.scheduledTime.toISOString()).toBe('2024-05-01T03:00:00.000Z');
    expect(tick.isPastDue).toBe(false);
    expect(Buffer.from((event.data as { customData: string }).customData, 'base64').toString()).toBe('my base64 data');
  });
});
