import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { App } from 'faasport';
import { build } from './build.js';
import { writeInfrastructure } from './deploy-script.js';
import { assertGcpSupported } from './check-app.js';
import { findPubsubEmulator, freePort, startPubsubEmulator, type PubsubEmulator } from './pubsub-emulator.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(repoRoot, 'node_modules', '.bin', 'functions-framework');
const PROJECT = 'faasport-test';
const emulatorBin = findPubsubEmulator();

interface RunningFunction {
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

const running: RunningFunction[] = [];
const tempDirs: string[] = [];

/** Builds `entry` for gcp into a temp folder that reuses the repository's node_modules (no npm install). */
async function buildInto(entry: string): Promise<{ outDir: string; files: readonly string[] }> {
  const outDir = mkdtempSync(join(tmpdir(), 'faasport-gcp-'));
  tempDirs.push(outDir);
  const { app } = (await import(entry)) as { app: App };
  const options = { entry, exportName: 'app', outDir, app, log: () => {} };
  // What `faasport build --target gcp` runs: the source folder, then deploy.sh.
  const result = await build(options);
  await writeInfrastructure(options);
  symlinkSync(join(repoRoot, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  return result;
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
  await waitFor(() => output.includes('Serving function') || child.exitCode !== null, 20_000, () => output);
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

describe('faasport build --target gcp', () => {
  const entry = fileURLToPath(new URL('./test-app/app.ts', import.meta.url));
  let outDir: string;

  beforeAll(async () => {
    ({ outDir } = await buildInto(entry));
  });

  test('writes a source folder Cloud Functions accepts', () => {
    const pkg = JSON.parse(readFileSync(join(outDir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ type: 'module', main: 'index.js', scripts: { start: 'functions-framework' } });
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@google-cloud/functions-framework', '@google-cloud/pubsub']);
    const bundle = readFileSync(join(outDir, 'index.js'), 'utf8');
    // The framework stays external: the bundle must register with the copy the runtime serves from.
    expect(bundle).not.toContain('registrationContainer');
    const plan = JSON.parse(readFileSync(join(outDir, 'faasport-gcp.json'), 'utf8'));
    expect(plan.functions.find((f: { name: string }) => f.name === 'fulfil')).toMatchObject({
      trigger: { topic: 'minishop-orders' },
      retry: true,
      deadLetter: { topic: 'minishop-orders-dead-letter', maxDeliveryAttempts: 5, minRetryDelaySeconds: 1, maxRetryDelaySeconds: 10 },
    });
    expect(plan.functions.find((f: { name: string }) => f.name === 'nightlyReport').schedule).toMatchObject({ cron: '*/15 * * * *', topic: 'minishop-schedule-nightlyReport' });
    const script = readFileSync(join(outDir, 'deploy.sh'), 'utf8');
    const deployLine = (fn: string) => script.split('\n').find((l) => l.startsWith(`gcloud functions deploy ${fn} `)) ?? '';
    expect(deployLine('fulfil')).toContain('--entry-point=fulfil');
    expect(deployLine('fulfil')).toMatch(/--trigger-topic=minishop-orders .*--retry/);
    expect(script).toContain('--dead-letter-topic=minishop-orders-dead-letter --max-delivery-attempts=5 --min-retry-delay=1s --max-retry-delay=10s');
    expect(deployLine('onUpload')).toMatch(/--trigger-event-filters=type=google.cloud.storage.object.v1.finalized .*--retry/);
  });

  test('the functions-framework CLI serves an HTTP function from the built folder', async () => {
    const hello = await serve(outDir, 'hello');
    const res = await fetch(`${hello.url}/hello/ada`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hello: 'ada', provider: 'gcp' });
  });

  test('the CLI serves a Pub/Sub consumer: a failing binary CloudEvent (as Eventarc sends it) answers 500, so Pub/Sub retries', async () => {
    const fulfil = await serve(outDir, 'fulfil', { GOOGLE_CLOUD_PROJECT: PROJECT });
    const message = { data: Buffer.from('{"id":"o-1","item":"poison"}').toString('base64'), messageId: 'm-1', attributes: { 'faasport-content-type': 'application/json' } };
    const res = await fetch(fulfil.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'm-1', 'ce-source': '//pubsub.googleapis.com/projects/p/topics/minishop-orders', 'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished' },
      body: JSON.stringify({ message, subscription: 'projects/p/subscriptions/s', deliveryAttempt: 1 }),
    });
    expect(res.status).toBe(500);
    await waitFor(() => fulfil.output().includes('cannot fulfil order o-1'), 10_000, fulfil.output);
    expect(fulfil.output()).toContain('"attempt":1');
  });

  test.skipIf(!emulatorBin)(
    `end to end through Google's Pub/Sub emulator: HTTP -> queue -> push -> consumer -> topic${emulatorBin ? '' : ' (skipped: no Pub/Sub emulator is installed on this machine)'}`,
    async () => {
      const emulator: PubsubEmulator = await startPubsubEmulator(emulatorBin!);
      try {
        const env = { PUBSUB_EMULATOR_HOST: emulator.host, GOOGLE_CLOUD_PROJECT: PROJECT };
        const { PubSub } = await import('@google-cloud/pubsub');
        const admin = new PubSub({ projectId: PROJECT, apiEndpoint: emulator.host, emulatorMode: true });
        const [orders] = await admin.createTopic('minishop-orders');
        const [shipped] = await admin.createTopic('minishop-shipped');
        const [probe] = await shipped.createSubscription('probe');
        const [placeOrder, fulfil] = await Promise.all([serve(outDir, 'placeOrder', env), serve(outDir, 'fulfil', env)]);
        await orders.createSubscription('minishop-orders-fulfil', { pushConfig: { pushEndpoint: `${fulfil.url}/projects/${PROJECT}/topics/minishop-orders` } });

        const res = await fetch(`${placeOrder.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'o-7', item: 'lamp' }) });
        expect(res.status).toBe(202);
        const { messageId } = (await res.json()) as { messageId: string };
        await waitFor(() => fulfil.output().includes('"orderId":"o-7"'), 20_000, fulfil.output);
        expect(fulfil.output()).toContain(`"messageId":"${messageId}"`);

        const received = await new Promise<{ data: Buffer; attributes: Record<string, string> }>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no message on minishop-shipped')), 20_000);
          probe.on('message', (m) => {
            m.ack();
            clearTimeout(timer);
            resolve({ data: m.data, attributes: m.attributes });
          });
        });
        expect(JSON.parse(received.data.toString())).toEqual({ orderId: 'o-7' });
        expect(received.attributes['faasport-content-type']).toBe('application/json');
        expect(received.attributes.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
        await probe.close();
        await admin.close();
      } finally {
        await emulator.stop();
      }
    },
  );
});

describe('examples/shop for gcp', () => {
  test('builds and serves, or is refused with the reason, as its definitions dictate', async () => {
    const entry = fileURLToPath(new URL('../../examples/shop/app.ts', import.meta.url));
    const { app } = (await import(entry)) as { app: App };
    // Decided from the definitions, not from assertGcpSupported itself: Pub/Sub's dead-letter
    // policy takes 5 to 100 delivery attempts.
    const refused = [...app.queues, ...app.topics].some((q) => q.maxAttempts < 5 || q.maxAttempts > 100);
    if (refused) {
      expect(() => assertGcpSupported(app)).toThrow(/maxAttempts \d+ is not supported on gcp; use a value from 5 to 100/);
      await expect(build({ entry, exportName: 'app', outDir: mkdtempSync(join(tmpdir(), 'faasport-gcp-shop-refused-')), app, log: () => {} })).rejects.toMatchObject({
        code: 'CAPABILITY_UNSUPPORTED',
        message: expect.stringMatching(/maxAttempts \d+ is not supported on gcp/),
      });
      return;
    }
    expect(() => assertGcpSupported(app)).not.toThrow();
    const { outDir } = await buildInto(entry);
    const hello = await serve(outDir, 'hello');
    const res = await fetch(`${hello.url}/hello/shop`);
    expect(await res.json()).toEqual({ hello: 'shop' });
  });
});
