import { describe, expect, it } from 'vitest';
import { createApp } from 'faasport';
import { azurePlatform } from './azure-platform.js';

const app = createApp('jobs');
app.queue('work').consume('run', () => {});

describe('azurePlatform: which storage connection', () => {
  it('connects with the managed identity the Container Apps file names (no connection string), building its clients without a network call', async () => {
    const platform = await azurePlatform(app, {
      AzureWebJobsStorage__accountName: 'shopstore',
      AzureWebJobsStorage__clientId: '00000000-0000-0000-0000-000000000001',
    });
    expect(platform.cloud).toBe('azure');
    expect(platform.sources(app.functions[0] as never).name).toBe('work');
  });

  it('refuses to start with neither setting, naming both', async () => {
    await expect(azurePlatform(app, {})).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/AzureWebJobsStorage__accountName .*AzureWebJobsStorage \(a connection string\)/),
    });
  });
});
