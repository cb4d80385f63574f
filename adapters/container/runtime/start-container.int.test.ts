import { afterAll, describe, expect, it } from 'vitest';
import { clientAddress, createApp } from '../../../src/index.js';
import { withoutQueues } from './platform.js';
import { startContainer, type RunningContainer } from './start-container.js';

// The server in this process on a real socket (no queues, so no queue service is needed).
const app = createApp('whoami');
app.http('whoami', { route: '/whoami', public: true }, (req) => Response.json({ ip: clientAddress(req) ?? null }));

const running: RunningContainer[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
});

async function start(env: Record<string, string>): Promise<RunningContainer> {
  const container = await startContainer(app, withoutQueues('aws'), { env: { HOST: '127.0.0.1', PORT: '0', ...env }, handleSignals: false, logSink: () => {} });
  running.push(container);
  return container;
}

const whoami = async (container: RunningContainer): Promise<unknown> =>
  (await (await fetch(`${container.url}/whoami`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).json() as { ip: unknown }).ip;

describe('startContainer and FAASPORT_TRUST_PROXY', () => {
  it('believes X-Forwarded-For only from the proxies it names', async () => {
    expect(await whoami(await start({ FAASPORT_TRUST_PROXY: 'loopback' }))).toBe('203.0.113.9');
    expect(await whoami(await start({}))).toBe('127.0.0.1');
  });

  it('refuses a setting it cannot read, before it listens', async () => {
    await expect(start({ FAASPORT_TRUST_PROXY: 'not-an-address' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('FAASPORT_TRUST_PROXY') });
  });
});
