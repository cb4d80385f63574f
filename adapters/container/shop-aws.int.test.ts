import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApp } from '../../src/load-app.js';
import { startLocalSqs, type Fauxqs } from '../aws/test/fauxqs-server.js';
import { bodies, depth, provisionSqs } from './testing/aws-queues.js';
import { buildServer, startServer, waitFor, type BuiltServer, type ServerProcess } from './testing/server-process.js';

// examples/shop built with --target container --cloud aws, its server.mjs run by node,
// against the local SQS/SNS server: HTTP, the orders queue, the shipped topic, dead letters.
let sqs: Fauxqs;
let built: BuiltServer;
let server: ServerProcess;
let env: Record<string, string>;

beforeAll(async () => {
  sqs = await startLocalSqs();
  built = await buildServer('examples/shop/app.ts', 'aws');
  const { app } = await loadApp('examples/shop/app.ts', process.cwd());
  env = provisionSqs(sqs, app).env;
  server = await startServer(built.outDir, env);
});

afterAll(async () => {
  await server?.kill('SIGTERM');
  built?.remove();
  await sqs?.stop();
});

const post = (path: string, body: unknown) => fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('examples/shop as an aws container (SQS, SNS → SQS)', () => {
  it('serves HTTP through the router, with its error answers', async () => {
    expect(await (await fetch(`${server.url}/hello/ada`)).json()).toEqual({ hello: 'ada' });
    const bad = await post('/orders', { id: 'x', item: '', qty: 1 });
    expect(bad.status).toBe(400);
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404);
    expect((await fetch(`${server.url}/hello/ada`, { method: 'DELETE' })).status).toBe(405);
  });

  it('is live, and ready once its consumers are connected; the dev API is not served', async () => {
    expect((await fetch(`${server.url}/_faasport/healthz`)).status).toBe(200);
    const ready = await waitFor(async () => ((await fetch(`${server.url}/_faasport/readyz`)).status === 200 ? true : undefined), 10_000, 'ready');
    expect(ready).toBe(true);
    expect((await fetch(`${server.url}/_faasport/queues`)).status).toBe(404);
  });

  it('drains the orders queue: good orders fulfilled and published, the poison order dead-lettered after exactly 3 attempts', async () => {
    for (const id of ['a-1', 'a-2', 'a-3']) expect((await post('/orders', { id, item: 'book', qty: 1 })).status).toBe(202);
    expect((await post('/orders', { id: 'a-poison', item: 'poison', qty: 1 })).status).toBe(202);
    const dead = await waitFor(() => (bodies(sqs, 'orders-dlq').length > 0 ? bodies(sqs, 'orders-dlq') : undefined), 30_000, 'a dead letter');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ queue: 'orders', functionName: 'fulfil', attempts: 3, message: { body: { id: 'a-poison', item: 'poison' } }, lastError: { message: expect.stringContaining('poison') } });
    await waitFor(() => {
      const d = depth(sqs, 'orders');
      const s = depth(sqs, 'shipped-notifyCustomer');
      return d.ready + d.delayed + d.inflight + s.ready + s.delayed + s.inflight === 0 ? true : undefined;
    }, 20_000, 'queues drained');
    const logs = server.logs();
    const failures = logs.filter((l) => l.msg === 'handler failed' && l.functionName === 'fulfil');
    expect(failures).toHaveLength(3);
    expect(failures.map((l) => l.attempt).sort()).toEqual([1, 2, 3]);
    const fulfilled = logs.filter((l) => l.msg === 'order fulfilled').map((l) => l.orderId).sort();
    expect(fulfilled).toEqual(['a-1', 'a-2', 'a-3']);
    await waitFor(() => (logs.length && server.logs().filter((l) => l.msg === 'customer notified').length === 3 ? true : undefined), 10_000, 'three notifications');
    expect(bodies(sqs, 'shipped-notifyCustomer-dlq')).toEqual([]);
  });
});
