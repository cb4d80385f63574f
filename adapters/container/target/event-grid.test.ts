import { describe, expect, it } from 'vitest';
import { createApp } from 'faasport';
import { eventGridTemplate } from './event-grid.js';

describe('eventGridTemplate', () => {
  it('filters each subscription as the function does: an exact type, a type prefix, a source', () => {
    const app = createApp('files');
    app.event('exact', { type: 'Microsoft.Storage.BlobCreated' }, () => {});
    app.event('prefix', { type: 'Microsoft.Storage.*', source: '/subscriptions/s1*' }, () => {});
    app.event('fromOne', { source: '/subscriptions/s1/resourceGroups/g' }, () => {});
    const resources = eventGridTemplate(app).resources as {
      name: string;
      properties: { filter: unknown; destination: { properties: { queueName: string } } };
    }[];
    expect(resources.map((r) => [r.name, r.properties.destination.properties.queueName, r.properties.filter])).toEqual([
      ['files-exact', 'exact-events', { includedEventTypes: ['Microsoft.Storage.BlobCreated'] }],
      [
        'files-prefix',
        'prefix-events',
        {
          advancedFilters: [
            { operatorType: 'StringBeginsWith', key: 'type', values: ['Microsoft.Storage.'] },
            { operatorType: 'StringBeginsWith', key: 'source', values: ['/subscriptions/s1'] },
          ],
        },
      ],
      ['files-fromone', 'fromone-events', { advancedFilters: [{ operatorType: 'StringIn', key: 'source', values: ['/subscriptions/s1/resourceGroups/g'] }] }],
    ]);
  });
});
