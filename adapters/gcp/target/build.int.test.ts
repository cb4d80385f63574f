import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { App } from 'faasport';
import { build } from './build.js';
import { writeInfrastructure } from './infrastructure.js';
import { PUBSUB_DEAD_LETTER_ATTRIBUTES, decodeDeadLetter } from '../runtime/decode-dead-letter.js';
import { freePort } from '../testing/pubsub-emulator.js';
import { startPubsubGrpcStandIn } from '../testing/pubsub-grpc-stand-in.js';
import { PubsubStandIn } from '../testing/pubsub-stand-in.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repoRoot, 'node_modules', '.bin', 'functions-framework');
const PROJECT = 'faasport-test';

interface RunningFunction {
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

const running: RunningFunction[] = [];
const tempDirs: string[] = [];

/** Builds `entry` for gcp into a temp folder that reuses the repository's node_modules (no npm install). */
async function buildInto(entry: string): Promise<{ outDir: string; files: readonly string[]; lines: string[] }> {
  const outDir = mkdtempSync(join(tmpdir(), 'faasport-gcp-'));
  tempDirs.push(outDir);
  const { app } = (await import(entry)) as { app: App };
  const lines: string[] = [];
  const options = { entry, exportName: 'app', outDir, app, log: (line: string) => lines.push(line) };
  // What `faasport build --target gcp` runs: the source folder, then deploy.sh.
  const result = await build(options);
  await writeInfrastructure(options);
  symlinkSync(join(repoRoot, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  return { ...result, lines };
}

/** Starts the real `functions-framework` CLI on a free port, serving one target of a built folder. */
async function serve(outDir: string, target: string, env: Record<string, string> = {}): Promise<RunningFunction> {
  const port = await freePort();
  const child: ChildProcess = spawn(cli, ['--source', outDir, '--target', target, '--port', String(port)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const fn: RunningFunction = {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        // SIGTERM first; a process that ignores it for 5 s is killed.
        const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
  running.push(fn);
  await waitFor(
    () => output.includes('Serving function') || child.exitCode !== null,
    20_000,
    () => output,
  );
  if (child.exitCode !== null) throw new Error(`functions-framework exited:\n${output}`);
  return fn;
}

async function waitFor(ok: () => boolean | Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`timed out; last output:\n${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterAll(async () => {
  await Promise.all(running.map((f) => f.stop()));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('faasport build --target gcp of examples/shop (maxAttempts 3)', () => {
  const entry = fileURLToPath(new URL('../../../examples/shop/app.ts', import.meta.url));
  let outDir: string;
  let lines: string[];

  beforeAll(async () => {
    ({ outDir, lines } = await buildInto(entry));
  });

  test('writes a source folder Cloud Functions accepts, with Pub/Sub dead-lettering at its floor of 5', () => {
    const pkg = JSON.parse(readFileSync(join(outDir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ type: 'module', main: 'index.js', scripts: { start: 'functions-framework' } });
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@google-cloud/functions-framework', '@google-cloud/pubsub']);
    const bundle = readFileSync(join(outDir, 'index.js'), 'utf8');
    // The framework stays external: the bundle must register with the copy the runtime serves from.
    expect(bundle).not.toContain('registrationContainer');
    const plan = JSON.parse(readFileSync(join(outDir, 'faasport-gcp.json'), 'utf8'));
    expect(plan.functions.find((f: { name: string }) => f.name === 'fulfil')).toMatchObject({
      trigger: { topic: 'shop-orders' },
      retry: true,
      deadLetter: { topic: 'shop-orders-dead-letter', maxDeliveryAttempts: 5, maxAttempts: 3, minRetryDelaySeconds: 0, maxRetryDelaySeconds: 1 },
    });
    expect(plan.functions.find((f: { name: string }) => f.name === 'nightlyReport').schedule).toMatchObject({
      cron: '0 3 * * *',
      topic: 'shop-schedule-nightlyReport',
    });
    const script = readFileSync(join(outDir, 'deploy.sh'), 'utf8');
    const deployLine = (fn: string) => script.split('\n').find((l) => l.startsWith(`gcloud functions deploy ${fn} `)) ?? '';
    expect(deployLine('fulfil')).toContain('--entry-point=fulfil');
    expect(deployLine('fulfil')).toMatch(/--trigger-topic=shop-orders .*--retry --ingress-settings=internal-only/);
    expect(deployLine('hello')).not.toContain('--ingress-settings');
    expect(script).toContain('--dead-letter-topic=shop-orders-dead-letter --max-delivery-attempts=5 --min-retry-delay=0s --max-retry-delay=1s');
    expect(deployLine('onEvent')).toMatch(/"--trigger-event-filters=type=\$\{EVENT_TYPE_ONEVENT\}" .*--retry --ingress-settings=internal-only/);
  });

  test('the build log says who dead-letters each queue, and when', () => {
    expect(lines).toContain(
      'gcp: queue "orders": Pub/Sub dead-letters at 5 (its floor); faasport dead-letters at 3, with the handler\'s error (a legacy push subscription carries no delivery count: then Pub/Sub\'s 5 applies)',
    );
    expect(lines).toContain(
      'gcp: topic "shipped" subscriber "notifyCustomer": Pub/Sub dead-letters at 5 (maxDeliveryAttempts); faasport forwards the dead-letter envelope with the handler\'s error on that attempt, before Pub/Sub would',
    );
  });

  test('the functions-framework CLI serves an HTTP function from the built folder', async () => {
    const hello = await serve(outDir, 'hello');
    const res = await fetch(`${hello.url}/hello/ada`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hello: 'ada' });
  });

  test('the CLI serves a Pub/Sub consumer: a failing binary CloudEvent (as Eventarc sends it) before attempt 3 answers 500, so Pub/Sub retries', async () => {
    const fulfil = await serve(outDir, 'fulfil', { GOOGLE_CLOUD_PROJECT: PROJECT });
    const message = {
      data: Buffer.from('{"id":"o-1","item":"poison","qty":1}').toString('base64'),
      messageId: 'm-1',
      attributes: { 'faasport-content-type': 'application/json' },
    };
    const res = await fetch(fulfil.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': 'm-1',
        'ce-source': '//pubsub.googleapis.com/projects/p/topics/shop-orders',
        'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
      },
      body: JSON.stringify({ message, subscription: 'projects/p/subscriptions/s', deliveryAttempt: 2 }),
    });
    expect(res.status).toBe(500);
    await waitFor(() => fulfil.output().includes('cannot fulfil order o-1'), 10_000, fulfil.output);
    expect(fulfil.output()).toContain('"attempt":2');
  });

  test('end to end through the CLI and the real Pub/Sub client: POST /orders -> queue -> push -> fulfil -> topic; the poison order runs exactly 3 times and faasport dead-letters it, Pub/Sub never has to', async () => {
    // Pub/Sub itself is the named test double: push deliveries with the deploy plan's policy, and its publish API over gRPC.
    const pubsub = new PubsubStandIn(PROJECT);
    const grpc = await startPubsubGrpcStandIn(pubsub);
    try {
      const env = { PUBSUB_EMULATOR_HOST: grpc.host, GOOGLE_CLOUD_PROJECT: PROJECT };
      const [placeOrder, fulfil] = await Promise.all([serve(outDir, 'placeOrder', env), serve(outDir, 'fulfil', env)]);
      const plan = JSON.parse(readFileSync(join(outDir, 'faasport-gcp.json'), 'utf8')) as {
        functions: { name: string; deadLetter?: { maxDeliveryAttempts: number; topic: string } }[];
      };
      const policy = plan.functions.find((f) => f.name === 'fulfil')!.deadLetter!;
      pubsub.subscribe({
        name: 'shop-orders-fulfil',
        topic: 'shop-orders',
        url: fulfil.url,
        maxDeliveryAttempts: policy.maxDeliveryAttempts,
        deadLetterTopic: policy.topic,
        retryDelayMs: () => 0,
      });

      for (const order of [
        { id: 'o-7', item: 'lamp', qty: 1 },
        { id: 'o-8', item: 'poison', qty: 1 },
      ]) {
        const res = await fetch(`${placeOrder.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order) });
        expect(res.status).toBe(202);
      }
      // Messages reach the stand-in through the client's batching: wait for both, then for every delivery to settle.
      await waitFor(
        () => /"orderId":"o-7"/.test(fulfil.output()) && (fulfil.output().match(/cannot fulfil order o-8/g) ?? []).length >= 3,
        30_000,
        fulfil.output,
      );
      await pubsub.whenIdle(30_000);

      const shipped = pubsub.retained('shop-shipped');
      expect(shipped.map((m) => JSON.parse(Buffer.from(m.data).toString()))).toEqual([{ orderId: 'o-7' }]);
      expect(shipped[0]!.attributes.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);

      // Attempts 1, 2 and 3 ran; the third forwarded the envelope and acknowledged, so there was no 4th or 5th.
      const attempts = fulfil
        .output()
        .split('\n')
        .filter((l) => l.includes('cannot fulfil order o-8') && l.includes('"level":"error"'))
        .map((l) => (JSON.parse(l) as { attempt: number }).attempt);
      expect(attempts).toEqual([1, 2, 3]);
      const letters = pubsub.retained('shop-orders-dead-letter');
      expect(letters).toHaveLength(1);
      const envelope = decodeDeadLetter(letters[0]!, { queue: 'orders', functionFor: () => 'fulfil' });
      expect(envelope).toMatchObject({ queue: 'orders', functionName: 'fulfil', attempts: 3, message: { body: { id: 'o-8', item: 'poison', qty: 1 } } });
      expect(envelope.lastError.message).toContain('item "poison" is not for sale');
      // faasport's record, not Pub/Sub's own forward (which carries the delivery count attribute Pub/Sub adds).
      expect(letters[0]!.attributes['faasport-dead-letter-attempts']).toBe('3');
      expect(letters[0]!.attributes[PUBSUB_DEAD_LETTER_ATTRIBUTES.deliveryCount]).toBeUndefined();
    } finally {
      pubsub.stop();
      await grpc.stop();
    }
  }, 60_000);
});
