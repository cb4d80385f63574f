import { describe, expect, test } from 'vitest';
import { createApp } from 'faasport';
import { app as shop } from '../../../examples/shop/app.js';
import type { CliStep } from 'faasport';
import { gcpDeployScript, gcpDeploySteps, memoryFlag, serviceAccountId } from './infrastructure.js';

const steps = gcpDeploySteps(shop);
const deployOf = (name: string, list: CliStep[] = steps): readonly string[] => {
  const step = list.find((s) => s.argv[2] === 'deploy' && s.argv[3] === name);
  if (!step) throw new Error(`no deploy step for ${name}`);
  return step.argv;
};
const flag = (argv: readonly string[], name: string): string | undefined => argv.find((a) => a === name || a.startsWith(`${name}=`));

describe('gcpDeploySteps for the shop', () => {
  test.each(shop.functions.map((f) => [f.name, f] as const))('%s: gen2, nodejs22, memory, timeout, min instances, own service account', (name, fn) => {
    const argv = deployOf(name);
    expect(argv.slice(0, 5)).toEqual(['gcloud', 'functions', 'deploy', name, '--gen2']);
    expect(argv).toEqual(
      expect.arrayContaining([
        '--runtime=nodejs22',
        `--entry-point=${name}`,
        '--memory=256Mi',
        `--timeout=${fn.timeoutMs / 1000}s`,
        `--min-instances=${fn.warm}`,
      ]),
    );
    expect(flag(argv, '--service-account')).toBe(`--service-account=${serviceAccountId('shop', name)}@\${PROJECT}.iam.gserviceaccount.com`);
  });

  test.each([
    ['hello', ['--trigger-http', '--allow-unauthenticated'], false],
    ['placeOrder', ['--trigger-http', '--allow-unauthenticated'], false],
    ['fulfil', ['--trigger-topic=shop-orders', '--retry'], true],
    ['notifyCustomer', ['--trigger-topic=shop-shipped', '--retry'], true],
    ['nightlyReport', ['--trigger-topic=shop-schedule-nightlyReport', '--retry'], true],
    ['onEvent', ['--trigger-event-filters=type=${EVENT_TYPE_ONEVENT}', '--retry'], true],
  ])('%s: trigger %j', (name, flags, eventDriven) => {
    const argv = deployOf(name);
    expect(argv).toEqual(expect.arrayContaining(flags));
    expect(flag(argv, '--trigger-service-account') !== undefined).toBe(eventDriven);
  });

  test('every function that is not HTTP is deployed with internal-only ingress; HTTP functions keep their URL', () => {
    for (const fn of shop.functions) {
      expect(flag(deployOf(fn.name), '--ingress-settings'), fn.name).toBe(fn.kind === 'http' ? undefined : '--ingress-settings=internal-only');
    }
  });

  test('a private HTTP function is deployed --no-allow-unauthenticated', () => {
    const app = createApp('t');
    app.http('admin', { route: '/admin', warm: 3, memoryMb: 700, timeoutMs: 1500 }, () => new Response('ok'));
    const argv = deployOf('admin', gcpDeploySteps(app));
    expect(argv).toEqual(expect.arrayContaining(['--trigger-http', '--no-allow-unauthenticated', '--min-instances=3', '--memory=1Gi', '--timeout=2s']));
    expect(argv).not.toContain('--allow-unauthenticated');
  });

  test("the queue consumer (maxAttempts 3) gets a dead-letter policy at Pub/Sub's floor of 5 and the backoff as retry delays", () => {
    const update = steps.find((s) => s.argv.slice(0, 4).join(' ') === 'gcloud pubsub subscriptions update' && s.argv[4] === '${SUBSCRIPTION_FULFIL}');
    expect(update?.argv).toEqual(
      expect.arrayContaining(['--dead-letter-topic=shop-orders-dead-letter', '--max-delivery-attempts=5', '--min-retry-delay=0s', '--max-retry-delay=1s']),
    );
    expect(update?.title).toBe(
      "dead-letter fulfil's messages to shop-orders-dead-letter after 5 attempts (Pub/Sub's floor; the function itself dead-letters at 3)",
    );
    const trigger = steps.find((s) => s.output === 'TRIGGER_FULFIL');
    expect(trigger?.argv).toEqual(expect.arrayContaining(['describe', 'fulfil', '--format=value(eventTrigger.trigger)']));
    expect(steps.find((s) => s.output === 'SUBSCRIPTION_FULFIL')?.argv).toContain('${TRIGGER_FULFIL}');
  });

  test('publisher grants are per topic, never on the project; a consumer may also write its dead-letter topic', () => {
    const grants = steps.filter((s) => s.argv.includes('--role=roles/pubsub.publisher') && s.argv.some((a) => a.includes(serviceAccountId('shop', 'fulfil'))));
    expect(grants.map((s) => s.argv[4]).sort()).toEqual(['shop-orders-dead-letter', 'shop-shipped']);
    expect(steps.some((s) => s.argv.includes('projects') && s.argv.includes('add-iam-policy-binding'))).toBe(false);
    const helloGrants = steps.filter(
      (s) => s.argv.includes('--role=roles/pubsub.publisher') && s.argv.some((a) => a.includes(serviceAccountId('shop', 'hello'))),
    );
    expect(helloGrants).toEqual([]);
    const placeOrderGrants = steps.filter(
      (s) => s.argv.includes('--role=roles/pubsub.publisher') && s.argv.some((a) => a.includes(serviceAccountId('shop', 'placeOrder'))),
    );
    expect(placeOrderGrants.map((s) => s.argv[4])).toEqual(['shop-orders']);
  });

  test.each([
    [1, 5],
    [4, 5],
    [5, 5],
    [37, 37],
    [100, 100],
  ])('maxAttempts %i → --max-delivery-attempts=%i', (maxAttempts, policy) => {
    const app = createApp('t');
    app.queue('jobs', { maxAttempts }).consume('work', async () => {});
    const update = gcpDeploySteps(app).find((s) => s.argv.slice(0, 4).join(' ') === 'gcloud pubsub subscriptions update')!;
    expect(update.argv).toContain(`--max-delivery-attempts=${policy}`);
  });

  test('an app GCP cannot run is refused', () => {
    const app = createApp('t');
    app.event('onAny', { maxAttempts: 3 }, async () => {});
    expect(() => gcpDeploySteps(app)).toThrow(
      expect.objectContaining({ code: 'CAPABILITY_UNSUPPORTED', message: expect.stringContaining('function "onAny": maxAttempts 3 is not supported on gcp') }),
    );
  });

  test('sends narrows the publisher grants', () => {
    const narrowed = gcpDeploySteps(shop, { sends: { hello: [], placeOrder: ['orders'] } });
    const of = (fn: string): string[] =>
      narrowed
        .filter((s) => s.argv.includes('--role=roles/pubsub.publisher') && s.argv.some((a) => a.includes(`${serviceAccountId('shop', fn)}@`)))
        .map((s) => s.argv[4]!);
    expect(of('hello')).toEqual([]);
    expect(of('placeOrder')).toEqual(['shop-orders']);
  });

  test('the schedule gets a Cloud Scheduler job on its topic, created once and kept current', () => {
    const jobs = steps.filter((s) => s.argv[1] === 'scheduler');
    expect(jobs.map((s) => s.argv[3])).toEqual(['create', 'update']);
    expect(jobs[0]!.argv).toEqual(
      expect.arrayContaining(['shop-nightlyReport', '--schedule=0 3 * * *', '--time-zone=Etc/UTC', '--topic=shop-schedule-nightlyReport']),
    );
    expect(jobs[0]!.unless).toEqual(expect.arrayContaining(['describe', 'shop-nightlyReport']));
  });

  test('the script renders every step as one shell line, quoting what needs it', () => {
    const script = gcpDeployScript(shop);
    expect(script.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(script).toContain('set -euo pipefail');
    expect(script).toContain('PROJECT_NUMBER="$(gcloud projects describe "${PROJECT}" \'--format=value(projectNumber)\')"');
    expect(script).toContain('gcloud scheduler jobs update pubsub shop-nightlyReport "--location=${REGION}" \'--schedule=0 3 * * *\'');
    expect(script.split('\n').filter((l) => l.startsWith('gcloud functions deploy '))).toHaveLength(6);
  });
});

describe('helpers', () => {
  test.each([
    [128, '128Mi'],
    [256, '256Mi'],
    [300, '512Mi'],
    [1024, '1Gi'],
    [10_240, '16Gi'],
  ])('memoryFlag(%i) → %s', (mb, flagText) => expect(memoryFlag(mb)).toBe(flagText));

  test.each([
    ['shop', 'hello', 'shop-hello'],
    ['shop', 'placeOrder', 'shop-placeorder'],
    ['a', 'b', 'a-b000'],
    ['averyveryverylongappname', 'andalongfunctionname', expect.stringMatching(/^averyveryverylongappnam-[0-9a-f]{6}$/)],
  ])('serviceAccountId(%s, %s)', (app, fn, id) => {
    const got = serviceAccountId(app, fn);
    expect(got).toEqual(id);
    expect(got).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
  });
});
