import { startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApp } from '../../../src/load-app.js';
import { freePort } from '../../gcp/testing/pubsub-emulator.js';
import type { Fauxqs } from '../../aws/testing/fauxqs-server.js';
import { provisionSqs } from '../testing/aws-queues.js';
import { buildServer, startServer, waitFor, type BuiltServer, type ServerProcess } from '../testing/server-process.js';

// The shop's aws server started while its queue service is down: it serves HTTP, says it is
// not ready, retries with backoff, and becomes ready and drains once the service is up.
let built: BuiltServer;
let server: ServerProcess;
let sqs: Fauxqs | undefined;
let port: number;

beforeAll(async () => {
  port = await freePort();
  built = await buildServer('examples/shop/app.ts', 'aws');
  // No queue URLs: the consumers find their queues with GetQueueUrl once the service answers.
  // The topic ARN is known up front, as the ECS template gives it (the local server's account).
  server = await startServer(built.outDir, {
    FAASPORT_TOPIC_ARN_SHIPPED: 'arn:aws:sns:us-east-1:000000000000:shipped',
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_MAX_ATTEMPTS: '1',
  });
});

afterAll(async () => {
  await server?.kill('SIGTERM');
  built?.remove();
  await sqs?.stop();
});

describe('a container whose queue service is unreachable', () => {
  it('stays live and serves HTTP, is not ready, and retries without crashing', async () => {
    await waitFor(
      () => (server.logs().filter((l) => l.msg === 'cannot reach the queue service; retrying').length >= 4 ? true : undefined),
      30_000,
      'four failed connects',
    );
    expect(server.child.exitCode).toBeNull();
    expect((await fetch(`${server.url}/_faasport/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/_faasport/readyz`);
    expect(ready.status).toBe(503);
    // onEvent's consumer reads the SQS queue its EventBridge rule targets.
    expect((await ready.json()).reasons).toEqual([
      'consumer "fulfil" is not connected',
      'consumer "notifyCustomer" is not connected',
      'consumer "onEvent" is not connected',
    ]);
    expect(await (await fetch(`${server.url}/hello/ada`)).json()).toEqual({ hello: 'ada' });
    // A send that cannot reach the service is an error answer, not a crash.
    const send = await fetch(`${server.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'u-1', item: 'book', qty: 1 }),
    });
    expect(send.status).toBe(500);
    expect(server.child.exitCode).toBeNull();
  });

  it('connects once the service is up: ready, and the queue drains', async () => {
    sqs = await startFauxqs({ port, host: '127.0.0.1', logger: false, defaultRegion: 'us-east-1' });
    const { app } = await loadApp('examples/shop/app.ts', process.cwd());
    expect(provisionSqs(sqs, app).env.FAASPORT_TOPIC_ARN_SHIPPED).toBe('arn:aws:sns:us-east-1:000000000000:shipped');
    await waitFor(async () => ((await fetch(`${server.url}/_faasport/readyz`)).status === 200 ? true : undefined), 30_000, 'ready');
    const sent = await fetch(`${server.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'u-2', item: 'book', qty: 1 }),
    });
    expect(sent.status).toBe(202);
    await waitFor(
      () => (server.logs().some((l) => l.msg === 'customer notified' && l.orderId === 'u-2') ? true : undefined),
      20_000,
      'order u-2 through queue and topic',
    );
  });
});
