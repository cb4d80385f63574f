import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { OBSERVED } from '../functions/app.js';
import type { ConformanceCase } from './types.js';
import { observed } from './support.js';

/** The `event` group. Events: CloudEvents with their attributes and data, and the platform's own storage notifications. */
export const eventCases: readonly ConformanceCase[] = [
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
      await driver.emit({
        specversion: '1.0',
        id: run,
        source: '//conformance.test/ping',
        type: 'example.ping',
        datacontenttype: 'application/json',
        data: { run, n: 1 },
      });
      await driver.settle();
      const seen = observed(driver.logs(), 'anyEvent', run);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.datacontenttype, 'application/json');
      assert.deepEqual(seen[0]!.data, { run, n: 1 });
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
];
