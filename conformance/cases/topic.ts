import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { WorkBody } from '../functions/app.js';
import type { ConformanceCase } from './types.js';
import { observed, req } from './support.js';

/** The `topic` group. Topics: fan-out to every subscriber. */
export const topicCases: readonly ConformanceCase[] = [
  {
    group: 'topic',
    name: 'every subscriber gets every published message',
    async run({ driver }) {
      const run = randomUUID();
      for (let seq = 0; seq < 3; seq++) {
        const res = await driver.fetch(
          req('/publish', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ run, seq }) }),
        );
        assert.equal(res.status, 202);
      }
      await driver.settle();
      for (const fn of ['subscriberA', 'subscriberB']) {
        const seqs = observed(driver.logs(), fn, run)
          .map((r) => (r.body as WorkBody).seq)
          .sort();
        assert.deepEqual(seqs, [0, 1, 2], `${fn} received ${JSON.stringify(seqs)}`);
      }
    },
  },
];
