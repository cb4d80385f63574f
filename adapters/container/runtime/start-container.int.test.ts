import { afterAll, describe, expect, it } from 'vitest';
import { clientAddress, createApp } from 'faasport';
import { withoutQueues } from './platform.js';
import { startContainer, type RunningContainer } from './start-container.js';

// The server in this process on a real socket (no queues, so no queue service is needed).
const app = createApp('whoami');
app.http('whoami', { route: '/whoami', public: true }, (req) => Response.json({ ip: clientAddress(req) ?? null }));
const ticks: string[] = [];
app.schedule('tick', { cron: '0 3 * * *' }, () => void ticks.push('tick'));
// A queue whose consumer could not start here: the platform below has no queue service.
app.queue('jobs').consume('work', () => {});

const running: RunningContainer[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
});

async function start(env: Record<string, string>): Promise<RunningContainer> {
  env = { FAASPORT_CONSUMERS: 'none', ...env };
  const container = await startContainer(app, withoutQueues('aws'), { env: { HOST: '127.0.0.1', PORT: '0', ...env }, handleSignals: false, logSink: () => {} });
  running.push(container);
  return container;
}

const whoami = async (container: RunningContainer): Promise<unknown> =>
  ((await (await fetch(`${container.url}/whoami`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).json()) as { ip: unknown }).ip;

describe('startContainer and FAASPORT_TRUST_PROXY', () => {
  it('believes X-Forwarded-For only from the proxies it names', async () => {
    expect(await whoami(await start({ FAASPORT_TRUST_PROXY: 'loopback' }))).toBe('203.0.113.9');
    expect(await whoami(await start({}))).toBe('127.0.0.1');
  });

  it('refuses a setting it cannot read, before it listens', async () => {
    await expect(start({ FAASPORT_TRUST_PROXY: 'not-an-address' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('FAASPORT_TRUST_PROXY'),
    });
  });
});

describe('startContainer as the Cloud Run control service (FAASPORT_CONSUMERS=none, FAASPORT_CONTROL_AUTH=platform-iam)', () => {
  it("starts no consumer, is ready, and runs a schedule with no token: the platform's IAM has let only invokers through", async () => {
    const control = await start({ FAASPORT_CONTROL_AUTH: 'platform-iam' });
    expect(control.consumers).toEqual([]);
    expect((await fetch(`${control.url}/_faasport/readyz`)).status).toBe(200);
    const ran = await fetch(`${control.url}/_faasport/schedules/tick/run`, { method: 'POST' });
    expect([ran.status, await ran.json(), ticks]).toEqual([200, { ok: true }, ['tick']]);
  });

  it('asks for the token by default, and refuses values it does not know', async () => {
    const main = await start({ FAASPORT_CONTROL_TOKEN: 'a-token-for-this-test' });
    expect((await fetch(`${main.url}/_faasport/schedules/tick/run`, { method: 'POST' })).status).toBe(401);
    await expect(start({ FAASPORT_CONTROL_AUTH: 'none' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('FAASPORT_CONTROL_AUTH must be token or platform-iam'),
    });
    await expect(start({ FAASPORT_CONSUMERS: 'off' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('would start the consumers without FAASPORT_CONSUMERS=none (and this platform has no queue service for them)', async () => {
    await expect(start({ FAASPORT_CONSUMERS: 'run' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('defines no queues') });
  });
});
