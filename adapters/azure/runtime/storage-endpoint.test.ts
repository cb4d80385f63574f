import { describe, expect, test } from 'vitest';
import { attachTransport, createApp } from 'faasport';
import { createAzureProducer, storageEndpoint, type TokenCredentialLike } from './producer.js';

describe('storageEndpoint: the storage connection, read as the Functions host reads it', () => {
  test.each([
    [
      'a connection string wins',
      { AzureWebJobsStorage: 'UseDevelopmentStorage=true', AzureWebJobsStorage__accountName: 'shop' },
      { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
    ],
    [
      'an account name is an identity-based connection to its queue endpoint',
      { AzureWebJobsStorage__accountName: 'shopabc' },
      { kind: 'identity', queueServiceUri: 'https://shopabc.queue.core.windows.net' },
    ],
    [
      'a user-assigned identity is named by __clientId',
      {
        AzureWebJobsStorage__accountName: 'shopabc',
        AzureWebJobsStorage__credential: 'managedidentity',
        AzureWebJobsStorage__clientId: '00000000-0000-0000-0000-000000000001',
      },
      { kind: 'identity', queueServiceUri: 'https://shopabc.queue.core.windows.net', clientId: '00000000-0000-0000-0000-000000000001' },
    ],
    [
      '__queueServiceUri wins over __accountName (sovereign clouds, private endpoints)',
      { AzureWebJobsStorage__accountName: 'a', AzureWebJobsStorage__queueServiceUri: 'https://a.queue.core.chinacloudapi.cn' },
      { kind: 'identity', queueServiceUri: 'https://a.queue.core.chinacloudapi.cn' },
    ],
    ['nothing set: no connection', {}, undefined],
  ])('%s', (_label, env, expected) => {
    expect(storageEndpoint(env, 'AzureWebJobsStorage')).toEqual(expected);
  });

  test('another setting prefix is read the same way', () => {
    expect(storageEndpoint({ Jobs__accountName: 'jobsacct' }, 'Jobs')).toEqual({
      kind: 'identity',
      queueServiceUri: 'https://jobsacct.queue.core.windows.net',
    });
  });
});

describe('createAzureProducer with an identity-based connection', () => {
  test('a send asks the credential for a storage token for the account URL: no key involved', async () => {
    const scopes: (string | string[])[] = [];
    // Test double for the managed identity, which exists only inside Azure: it records the scope
    // and refuses, so the send stops before any network call.
    const credential: TokenCredentialLike = {
      async getToken(scope) {
        scopes.push(scope);
        throw new Error('test double: no managed identity endpoint here');
      },
    };
    const app = createApp('shop');
    const orders = app.queue<{ id: string }>('orders');
    attachTransport(app, createAzureProducer(app, { env: { AzureWebJobsStorage__accountName: 'shopabc' }, credential }));
    await expect(orders.send({ id: 'o-1' })).rejects.toMatchObject({
      code: 'SEND_FAILED',
      message: expect.stringContaining('azure storage queue "orders" did not accept the message'),
    });
    expect(scopes.flat()).toEqual(['https://storage.azure.com/.default']);
  });

  test('with neither setting, the error names both ways to connect', async () => {
    const app = createApp('shop');
    const orders = app.queue<{ id: string }>('orders');
    attachTransport(app, createAzureProducer(app, { env: {} }));
    await expect(orders.send({ id: 'o-1' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('set the AzureWebJobsStorage__accountName app setting (identity-based'),
    });
  });
});
