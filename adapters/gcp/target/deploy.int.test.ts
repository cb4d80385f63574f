import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isFaasportError, type App } from 'faasport';
import { loadApp } from '../../../src/load-app.js';
import { commandExists } from '../../../src/cli-steps.js';
import { deploy } from './deploy.js';
import { gcpDeploySteps } from './infrastructure.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const work = `${repoRoot}.faasport/gcp-deploy-${randomUUID()}`;
const outDir = `${work}/dist/gcp`;
// examples/shop itself (maxAttempts 3): gcp dead-letters below Pub/Sub's floor of 5 itself.
const entry = fileURLToPath(new URL('../../../examples/shop/app.ts', import.meta.url));
let shop: App;

function run(args: string[], log: string[], env: NodeJS.ProcessEnv, exec?: (argv: readonly string[]) => Promise<string>): Promise<void> {
  return deploy({ entry, exportName: 'app', app: shop, outDir, args, log: (l) => log.push(l), env }, exec);
}

/** Stands in for the live Google Cloud: records each gcloud call and answers lookups. */
function fakeCloud(failOn?: (argv: readonly string[]) => boolean) {
  const calls: string[] = [];
  const exec = async (argv: readonly string[]): Promise<string> => {
    calls.push(argv.join(' '));
    if (failOn?.(argv)) throw new Error('PERMISSION_DENIED: Permission denied on resource project demo');
    if (argv.includes('describe')) {
      if (argv.includes('--format=value(projectNumber)')) return '123456789\n';
      if (argv.includes('--format=value(eventTrigger.trigger)')) return `trigger-${argv[3]}\n`;
      if (argv.includes('--format=value(transport.pubsub.subscription)')) return `projects/demo/subscriptions/sub-${argv[4]}\n`;
      throw new Error('NOT_FOUND');
    }
    return '';
  };
  return { calls, exec };
}

beforeAll(async () => {
  await mkdir(work, { recursive: true });
  shop = (await loadApp(entry)).app;
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('faasport deploy --target gcp', () => {
  test('without gcloud: a dry run that prints every command and writes the source folder', async () => {
    const log: string[] = [];
    await run(['--project', 'demo'], log, { PATH: '' });
    const text = log.join('\n');
    expect(text).toContain('gcp deploy: dry run (gcloud is not installed; install it, then run with --yes). The commands:');
    expect(text).toContain('gcloud functions deploy hello --gen2 --runtime=nodejs22 --region=us-central1 --project=demo');
    expect(text).toContain('--trigger-topic=shop-orders --trigger-service-account=shop-fulfil@demo.iam.gserviceaccount.com --retry');
    expect(text).toContain('nothing was run');
    expect((await readdir(outDir)).sort()).toEqual(expect.arrayContaining(['deploy.sh', 'index.js', 'package.json']));
    expect(await readFile(`${outDir}/deploy.sh`, 'utf8')).toContain('gcloud iam service-accounts create shop-hello');
  });

  test('with --yes the commands run in order; lookups feed later steps', async () => {
    const cloud = fakeCloud();
    const log: string[] = [];
    await run(
      ['--project', 'demo', '--region', 'europe-west1', '--yes', '--var', 'EVENT_TYPE_ONEVENT=google.cloud.storage.object.v1.finalized'],
      log,
      { PATH: process.env.PATH },
      cloud.exec,
    );
    if (!(await commandExists('gcloud'))) {
      expect(cloud.calls).toEqual([]);
      return;
    }
    expect(cloud.calls[0]).toBe('gcloud projects describe demo --format=value(projectNumber)');
    expect(cloud.calls).toContain(
      'gcloud pubsub subscriptions update projects/demo/subscriptions/sub-trigger-fulfil --dead-letter-topic=shop-orders-dead-letter --max-delivery-attempts=5 --min-retry-delay=0s --max-retry-delay=1s --project=demo',
    );
    expect(cloud.calls).toContain(
      'gcloud pubsub topics add-iam-policy-binding shop-orders-dead-letter --member=serviceAccount:service-123456789@gcp-sa-pubsub.iam.gserviceaccount.com --role=roles/pubsub.publisher --project=demo',
    );
    expect(cloud.calls.some((c) => c.includes('--trigger-event-filters=type=google.cloud.storage.object.v1.finalized'))).toBe(true);
    expect(log.join('\n')).toContain('gcp deploy: done');
  });

  test('an event type still missing stops the run before any command', async () => {
    const cloud = fakeCloud();
    const err = await run(['--project', 'demo', '--yes'], [], { PATH: process.env.PATH }, cloud.exec).catch((e: unknown) => e);
    if (!(await commandExists('gcloud'))) return void expect(err).toBeUndefined();
    expect((err as Error).message).toBe('gcp deploy: set --var EVENT_TYPE_ONEVENT=... before running (the commands need them)');
    expect(cloud.calls).toEqual([]);
  });

  test('a failing command names the step and leaves the local build as it was', async () => {
    const before = await stat(`${outDir}/deploy.sh`);
    const cloud = fakeCloud((argv) => argv[1] === 'iam');
    const err = await run(['--project', 'demo', '--yes', '--var', 'EVENT_TYPE_ONEVENT=x'], [], { PATH: process.env.PATH }, cloud.exec).catch((e: unknown) => e);
    if (!(await commandExists('gcloud'))) return;
    expect(isFaasportError(err) && err.code).toBe('DEPLOY_FAILED');
    expect((err as Error).message).toMatch(/^gcp deploy: step \d+ "service account shop-hello for function hello" failed: PERMISSION_DENIED/);
    expect((await stat(`${outDir}/deploy.sh`)).mtimeMs).toBe(before.mtimeMs);
    expect((await readdir(`${work}/dist`)).sort()).toEqual(['gcp']);
  });
});

const gcloudInstalled = await commandExists('gcloud');

/** The help text of one gcloud command, without terminal formatting (offline, no account needed). */
function gcloudHelp(command: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'gcloud',
      [...command, '--help'],
      { env: { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1', PAGER: 'cat' }, maxBuffer: 8 << 20 },
      (err, stdout) => {
        if (err) reject(err);
        else resolve(stdout.replace(/\x1b\[[0-9;]*m/g, ''));
      },
    );
  });
}

// The real gcloud (its help is offline) checks each command and flag the generated steps use.
describe.runIf(gcloudInstalled)('generated commands against the installed gcloud', async () => {
  const steps = gcpDeploySteps((await loadApp(entry)).app);
  const commands = new Map<string, Set<string>>();
  for (const step of steps) {
    for (const argv of [step.argv, ...(step.unless ? [step.unless] : [])]) {
      const words = argv.slice(1).filter((a) => !a.startsWith('-'));
      // The command path is the leading words that are not resource names.
      const depth =
        argv[1] === 'scheduler' && argv[3] !== 'describe'
          ? 4
          : argv[1] === 'iam' || argv[1] === 'pubsub' || argv[1] === 'eventarc' || argv[1] === 'scheduler'
            ? 3
            : 2;
      const key = words.slice(0, depth).join(' ');
      const flags = commands.get(key) ?? new Set<string>();
      for (const a of argv) if (a.startsWith('--')) flags.add(a.split('=')[0]!);
      commands.set(key, flags);
    }
  }

  test.each([...commands.entries()].map(([cmd, flags]) => [cmd, [...flags]] as const))('gcloud %s knows %j', async (cmd, flags) => {
    const help = await gcloudHelp(cmd.split(' '));
    for (const f of flags) {
      const name = f.replace(/^--(no-)?/, '');
      expect(help, `${cmd} ${f}`).toMatch(new RegExp(`--(\\[no-\\])?${name}\\b|--no-${name}\\b|--${name}\\b`));
    }
  });
});
