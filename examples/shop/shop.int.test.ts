import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Drives the shop through `faasport dev` as a user runs it: a child process, real HTTP.
const root = fileURLToPath(new URL('../..', import.meta.url));
let child: ChildProcess;
let base = '';
const output: string[] = [];

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'dev', 'examples/shop/app.ts', '--port', '0'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`faasport dev did not start:\n${output.join('')}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output.push(chunk.toString());
      const m = /listening on (http:\/\/[^\s]+)/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    child.once('exit', (code) => reject(new Error(`faasport dev exited with ${code}:\n${output.join('')}`)));
  });
}, 40_000);

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});

const post = (path: string, body: unknown, raw = false) =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ? (body as string) : JSON.stringify(body) });

async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('faasport dev examples/shop', () => {
  it('prints its routes, queues, topics and schedules', () => {
    const text = output.join('');
    for (const line of [
      'GET      http',
      '/hello/:name',
      'POST     http',
      '/orders',
      'queue     orders  → fulfil (maxAttempts 3',
      'topic     shipped  → notifyCustomer',
      'schedule  nightlyReport  0 3 * * *',
      'event     onEvent',
    ]) {
      expect(text).toContain(line);
    }
  });

  it('GET /hello/:name answers 200 {"hello": name}', async () => {
    const res = await fetch(`${base}/hello/ada`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hello: 'ada' });
    expect(await (await fetch(`${base}/hello/J%C3%BCrgen`)).json()).toEqual({ hello: 'Jürgen' });
  });

  it('POST /orders queues a valid order with 202 {"queued": id}', async () => {
    const res = await post('/orders', { id: 'ok-1', item: 'book', qty: 2 });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ queued: 'ok-1' });
  });

  it.each([
    ['not JSON', '{nope', /body must be JSON/],
    ['an array', [], /JSON object/],
    ['a missing id', { item: 'book', qty: 1 }, /"id"/],
    ['an empty item', { id: 'x', item: '', qty: 1 }, /"item"/],
    ['qty zero', { id: 'x', item: 'book', qty: 0 }, /"qty" must be a positive integer/],
    ['fractional qty', { id: 'x', item: 'book', qty: 1.5 }, /"qty"/],
    ['qty as a string', { id: 'x', item: 'book', qty: '2' }, /"qty"/],
    ['qty beyond a safe integer', { id: 'x', item: 'book', qty: 1e300 }, /"qty" must be a positive integer/],
    ['an id of spaces', { id: '   ', item: 'book', qty: 1 }, /"id" must be a non-empty string/],
  ])('POST /orders with %s answers 400 JSON naming the problem', async (_name, body, message) => {
    const res = await post('/orders', body, typeof body === 'string');
    expect(res.status).toBe(400);
    expect((await res.json()) as { error: string }).toEqual({ error: expect.stringMatching(message) });
  });

  it('a poison order is dead-lettered after exactly 3 attempts', async () => {
    expect((await post('/orders', { id: 'bad-1', item: 'poison', qty: 1 })).status).toBe(202);
    const envelope = await waitFor(async () => {
      const list = (await (await fetch(`${base}/_faasport/queues/orders/dead-letter`)).json()) as {
        message: { body: { id: string } };
        attempts: number;
        lastError: { message: string };
      }[];
      return list.find((e) => e.message.body.id === 'bad-1');
    });
    expect(envelope).toMatchObject({ attempts: 3, queue: 'orders', functionName: 'fulfil', lastError: { message: expect.stringMatching(/poison/) } });
    const attempts = output
      .join('')
      .split('\n')
      .filter((l) => l.includes('"handler failed"') && l.includes('order bad-1')).length;
    expect(attempts).toBe(3);
  });

  it('fulfilled orders are published to the topic and reach the subscriber', async () => {
    await post('/orders', { id: 'ok-2', item: 'lamp', qty: 1 });
    await waitFor(async () => (output.join('').includes('"customer notified"') && output.join('').includes('"orderId":"ok-2"') ? true : undefined));
  });

  it('the dev API lists functions and runs the schedule and the event function', async () => {
    const functions = (await (await fetch(`${base}/_faasport/functions`)).json()) as { name: string; kind: string }[];
    expect(functions.map((f) => `${f.kind}:${f.name}`)).toEqual([
      'http:hello',
      'http:placeOrder',
      'queue:fulfil',
      'topic:notifyCustomer',
      'schedule:nightlyReport',
      'event:onEvent',
    ]);
    expect(await (await post('/_faasport/schedules/nightlyReport/run', {})).json()).toEqual({ ok: true });
    const ev = await post('/_faasport/events', { specversion: '1.0', id: 'e1', source: '/uploads', type: 'example.object.created', subject: 'a.png' });
    expect(ev.status).toBe(202);
    expect(await ev.json()).toEqual({ delivered: ['onEvent'] });
    await waitFor(async () => (output.join('').includes('"event received"') ? true : undefined));
  });

  it('the dev API reports queue depth, in-flight and dead letters, and publishes to a topic', async () => {
    const stats = (await (await fetch(`${base}/_faasport/queues`)).json()) as {
      queue: string;
      functionName: string;
      depth: number;
      inFlight: number;
      deadLettered: number;
    }[];
    const orders = stats.find((s) => s.queue === 'orders');
    expect(orders).toMatchObject({ functionName: 'fulfil', depth: expect.any(Number), inFlight: expect.any(Number) });
    expect(orders!.deadLettered).toBeGreaterThanOrEqual(1); // bad-1, above
    expect(stats.some((s) => s.queue === 'shipped' && s.functionName === 'notifyCustomer')).toBe(true);
    const res = await post('/_faasport/topics/shipped/messages', { orderId: 'via-dev-api' });
    expect(res.status).toBe(202);
    await waitFor(async () => (output.join('').includes('"orderId":"via-dev-api"') ? true : undefined));
  });

  it('the dev API answers a malformed or unknown name with a JSON 4xx, never a 500', async () => {
    const bad = await fetch(`${base}/_faasport/queues/%E0%A4%A/dead-letter`);
    expect(bad.status).toBe(404);
    expect(await bad.json()).toMatchObject({ code: 'NOT_FOUND' });
    const unknown = await post('/_faasport/topics/nope/messages', {});
    expect(unknown.status).toBe(404);
  });

  it('never answers with a stack in production', async () => {
    const res = await fetch(`${base}/orders`, { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(await res.text()).not.toMatch(/\bat\b.*\.ts/);
  });
});
