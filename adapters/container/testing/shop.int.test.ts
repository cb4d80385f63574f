import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApp } from '../../../src/load-app.js';
import type { ContainerCloud } from '../runtime/adapter.js';
import { startBackend, type QueueBackend } from './backends.js';
import { buildServer, startServer, waitFor, type BuiltServer, type ServerProcess } from './server-process.js';

// examples/shop built with --target container for each cloud; its server.mjs run by node
// against that cloud's queue service running here (local SQS/SNS server, Azurite, the Pub/Sub
// pull stand-in): HTTP, the orders queue, the shipped topic, dead letters.
const clouds: ContainerCloud[] = ['aws', 'azure', 'gcp'];

// A throwaway value for this test's server only.
const TOKEN = 'test-control-token';

describe.each(clouds)('examples/shop as a %s container', (cloud) => {
  let backend: QueueBackend;
  let built: BuiltServer;
  let server: ServerProcess;

  beforeAll(async () => {
    const { app } = await loadApp('examples/shop/app.ts', process.cwd());
    [backend, built] = await Promise.all([startBackend(cloud, app), buildServer('examples/shop/app.ts', cloud)]);
    server = await startServer(built.outDir, { ...backend.env, FAASPORT_CONTROL_TOKEN: TOKEN });
  });

  afterAll(async () => {
    await server?.kill('SIGTERM');
    built?.remove();
    await backend?.stop();
  });

  const post = (path: string, body: unknown) =>
    fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('serves HTTP through the router, with its error answers', async () => {
    expect(await (await fetch(`${server.url}/hello/ada`)).json()).toEqual({ hello: 'ada' });
    expect((await post('/orders', { id: 'x', item: '', qty: 1 })).status).toBe(400);
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404);
    expect((await fetch(`${server.url}/hello/ada`, { method: 'DELETE' })).status).toBe(405);
  });

  it('is live, and ready once its consumers are connected; no dev API is served', async () => {
    expect((await fetch(`${server.url}/_faasport/healthz`)).status).toBe(200);
    await waitFor(async () => ((await fetch(`${server.url}/_faasport/readyz`)).status === 200 ? true : undefined), 20_000, 'ready');
    expect((await fetch(`${server.url}/_faasport/queues`)).status).toBe(404);
  });

  it('runs a schedule and delivers a CloudEvent only for a caller with the control token', async () => {
    const run = (headers: Record<string, string>) => fetch(`${server.url}/_faasport/schedules/nightlyReport/run`, { method: 'POST', headers });
    expect((await run({})).status).toBe(401);
    expect((await run({ authorization: 'Bearer wrong-token-value' })).status).toBe(401);
    expect((await run({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await run({ 'x-faasport-control-token': TOKEN })).status).toBe(200);
    expect((await fetch(`${server.url}/_faasport/schedules/nope/run`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    const event = { specversion: '1.0', id: 'e-1', source: 'test/container', type: 'com.example.ping', data: { x: 1 } };
    const sent = await fetch(`${server.url}/_faasport/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(event),
    });
    expect(sent.status).toBe(200);
    expect(server.logs().filter((l) => l.msg === 'nightly report')).toHaveLength(2);
    expect(server.logs().find((l) => l.msg === 'event received')).toMatchObject({ type: 'com.example.ping', source: 'test/container' });
  });

  it('drains the orders queue: good orders fulfilled and published, the poison order dead-lettered after exactly 3 attempts', async () => {
    for (const id of ['a-1', 'a-2', 'a-3']) expect((await post('/orders', { id, item: 'book', qty: 1 })).status).toBe(202);
    expect((await post('/orders', { id: 'a-poison', item: 'poison', qty: 1 })).status).toBe(202);
    const dead = await waitFor(
      async () => {
        const letters = await backend.deadLetters('orders');
        return letters.length > 0 ? letters : undefined;
      },
      60_000,
      'a dead letter',
    );
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      queue: 'orders',
      functionName: 'fulfil',
      attempts: 3,
      message: { body: { id: 'a-poison', item: 'poison' } },
      lastError: { message: expect.stringContaining('poison') },
    });
    await waitFor(() => (server.logs().filter((l) => l.msg === 'customer notified').length === 3 ? true : undefined), 30_000, 'three notifications');
    const logs = server.logs();
    const failures = logs.filter((l) => l.msg === 'handler failed' && l.functionName === 'fulfil');
    expect(failures.map((l) => l.attempt).sort()).toEqual([1, 2, 3]);
    expect(
      logs
        .filter((l) => l.msg === 'order fulfilled')
        .map((l) => l.orderId)
        .sort(),
    ).toEqual(['a-1', 'a-2', 'a-3']);
    expect(
      logs
        .filter((l) => l.msg === 'customer notified')
        .map((l) => l.orderId)
        .sort(),
    ).toEqual(['a-1', 'a-2', 'a-3']);
    expect(await backend.deadLetters('shipped', 'notifyCustomer')).toEqual([]);
    const pending = await waitFor(
      async () => {
        const n = await backend.pending();
        return n === undefined || n === 0 ? (n ?? 'unknown') : undefined;
      },
      20_000,
      'queues drained',
    );
    expect([0, 'unknown']).toContain(pending);
  });
});
