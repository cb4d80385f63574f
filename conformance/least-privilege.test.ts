import { describe, expect, test } from 'vitest';
import { isFaasportError, type App, type CliStep, type FunctionDefinition } from '../src/index.js';
import { app as shop } from '../examples/shop/app.js';
import { createConformanceApp } from './functions/app.js';
import { awsTemplate, type SamTemplate } from '../adapters/aws/target/infrastructure.js';
import { armTemplate, ROLES } from '../adapters/azure/target/infrastructure.js';
import { registerAzure, type AzureFunctionsApp } from '../adapters/azure/runtime/register-azure.js';
import { gcpDeploySteps, serviceAccountId } from '../adapters/gcp/target/infrastructure.js';

// Every file faasport writes to deploy an app grants each function only what it needs.
// Checked for every function of the shop example and of the conformance app.

type Json = Record<string, any>;

const apps: [string, () => App][] = [
  ['shop', () => shop],
  ['conformance', () => createConformanceApp({ fifo: false })],
  ['conformance (fifo)', () => createConformanceApp({ fifo: true })],
];

const pascal = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);
const cases = (app: App): [string, FunctionDefinition][] => app.functions.map((f) => [f.name, f]);

/** What a template or manifest may be generated for; otherwise the generator must refuse it. */
function generate<T>(make: () => T): { ok: true; value: T } | { ok: false; code: string } {
  try {
    return { ok: true, value: make() };
  } catch (err) {
    if (isFaasportError(err)) return { ok: false, code: err.code };
    throw err;
  }
}

describe.each(apps)('aws SAM template of the %s app', (_label, makeApp) => {
  const app = makeApp();
  const template: SamTemplate = awsTemplate(app);
  const resources = template.Resources as Record<string, { Type: string; Properties: Json }>;
  const topicArns = app.topics.map((t) => JSON.stringify({ Ref: `${pascal(t.name)}Topic` }));

  test('no IAM statement anywhere uses "*" as an action or a resource', () => {
    for (const [id, r] of Object.entries(resources)) {
      const docs: Json[] =
        r.Type === 'AWS::IAM::Role'
          ? [r.Properties.AssumeRolePolicyDocument, ...r.Properties.Policies.map((p: Json) => p.PolicyDocument)]
          : r.Type === 'AWS::SQS::QueuePolicy'
            ? [r.Properties.PolicyDocument]
            : [];
      for (const doc of docs) {
        for (const s of doc.Statement as Json[]) {
          for (const action of [s.Action].flat().filter(Boolean)) expect(action, `${id} action`).not.toMatch(/\*/);
          for (const resource of [s.Resource].flat().filter(Boolean))
            expect(typeof resource === 'string' ? resource : 'ref', `${id} resource`).not.toMatch(/\*/);
        }
      }
    }
  });

  test.each(cases(app))('%s: one role of its own with exactly the actions it needs', (name, fn) => {
    const fnProps = resources[`${pascal(name)}Function`]!.Properties;
    expect(fnProps.Role).toEqual({ 'Fn::GetAtt': [`${pascal(name)}Role`, 'Arn'] });
    const otherUses = Object.entries(resources).filter(([id, r]) => id !== `${pascal(name)}Function` && JSON.stringify(r).includes(`"${pascal(name)}Role"`));
    expect(otherUses).toEqual([]);
    const statements: Json[] = resources[`${pascal(name)}Role`]!.Properties.Policies[0].PolicyDocument.Statement;
    const allowed = new Map<string, Set<string>>();
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      for (const action of [s.Action].flat())
        for (const r of [s.Resource].flat()) (allowed.get(action) ?? allowed.set(action, new Set()).get(action)!).add(JSON.stringify(r));
    }
    const own = fn.kind === 'queue' ? `${pascal(fn.source.name)}Queue` : fn.kind === 'topic' ? `${pascal(fn.source.name)}${pascal(name)}Queue` : undefined;
    const ownDlq =
      own && fn.kind !== 'http' && 'source' in fn && typeof fn.source === 'object' && fn.source.deadLetter
        ? own.replace(/Queue$/, 'DeadLetterQueue')
        : undefined;
    const failedEvents = fn.kind === 'event' ? `${pascal(name)}FailedEventsQueue` : undefined;
    const expected = new Map<string, Set<string>>([
      ['logs:CreateLogStream', new Set([JSON.stringify({ 'Fn::GetAtt': [`${pascal(name)}Logs`, 'Arn'] })])],
      ['logs:PutLogEvents', new Set([JSON.stringify({ 'Fn::GetAtt': [`${pascal(name)}Logs`, 'Arn'] })])],
    ]);
    if (own && (fn.kind === 'queue' || fn.kind === 'topic')) {
      const consumer = [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        ...(fn.source.backoff !== false ? ['sqs:ChangeMessageVisibility'] : []),
      ];
      for (const a of consumer) expected.set(a, new Set([JSON.stringify({ 'Fn::GetAtt': [own, 'Arn'] })]));
    }
    // Exactly what the definition declares in `sends`, and nothing for a function that declares nothing.
    const sends = new Set(fn.sends.filter((n) => app.getQueue(n)).map((q) => JSON.stringify({ 'Fn::GetAtt': [`${pascal(q)}Queue`, 'Arn'] })));
    const publishes = fn.sends.filter((n) => app.getTopic(n)).map((t) => JSON.stringify({ Ref: `${pascal(t)}Topic` }));
    if (ownDlq) sends.add(JSON.stringify({ 'Fn::GetAtt': [ownDlq, 'Arn'] }));
    if (failedEvents) sends.add(JSON.stringify({ 'Fn::GetAtt': [failedEvents, 'Arn'] }));
    if (sends.size > 0) expected.set('sqs:SendMessage', sends);
    if (publishes.length > 0) expected.set('sns:Publish', new Set(publishes));
    expect(Object.fromEntries([...allowed].map(([a, r]) => [a, [...r].sort()]))).toEqual(Object.fromEntries([...expected].map(([a, r]) => [a, [...r].sort()])));
  });

  test.each(cases(app))('%s: trigger settings follow the definition', (name, fn) => {
    const props = resources[`${pascal(name)}Function`]!.Properties;
    expect(props).toMatchObject({ Runtime: 'nodejs22.x', Handler: `index.${name}`, MemorySize: fn.memoryMb, Timeout: Math.ceil(fn.timeoutMs / 1000) });
    expect(props.ProvisionedConcurrencyConfig?.ProvisionedConcurrentExecutions ?? 0).toBe(fn.warm);
    if (fn.kind === 'http') {
      for (const event of Object.values(props.Events as Record<string, Json>)) expect(event.Properties.Auth.Authorizer).toBe(fn.public ? 'NONE' : 'AWS_IAM');
      expect(props.FunctionUrlConfig).toBeUndefined();
    }
    if (fn.kind === 'queue' || fn.kind === 'topic') {
      expect(props.Events.Messages.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      const queueId = props.Events.Messages.Properties.Queue['Fn::GetAtt'][0];
      const queue = resources[queueId]!.Properties;
      expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * Math.ceil(fn.timeoutMs / 1000));
      if (fn.source.deadLetter) expect(queue.RedrivePolicy.maxReceiveCount).toBe(fn.source.maxAttempts);
      if (fn.source.fifo) expect(queue.QueueName['Fn::Sub']).toMatch(/\.fifo$/);
    }
  });

  test("no EventBridge rule matches every event of the account: a rule without a filter sits on the app's own bus", () => {
    for (const [id, r] of Object.entries(resources)) {
      const rule = (r.Properties.Events as Record<string, Json> | undefined)?.Events;
      if (rule?.Type !== 'EventBridgeRule') continue;
      const pattern = rule.Properties.Pattern as Json;
      const matchesAll =
        Object.keys(pattern).length === 0 ||
        Object.values(pattern).every((v) => JSON.stringify(v) === '[{"exists":true}]' || JSON.stringify(v) === '[{"prefix":""}]');
      if (matchesAll) expect(rule.Properties.EventBusName, id).toEqual({ Ref: 'AppEventBus' });
      else expect(rule.Properties.EventBusName, id).toBeUndefined();
    }
  });

  test('every topic subscription queue accepts messages from its own topic only', () => {
    for (const r of Object.values(resources).filter((x) => x.Type === 'AWS::SQS::QueuePolicy')) {
      for (const s of r.Properties.PolicyDocument.Statement as Json[]) {
        expect(s.Principal).toEqual({ Service: 'sns.amazonaws.com' });
        expect(topicArns).toContain(JSON.stringify(s.Condition.ArnEquals['aws:SourceArn']));
      }
    }
  });
});

describe.each(apps)('azure infrastructure of the %s app', (_label, makeApp) => {
  const app = makeApp();
  const generated = generate(() => armTemplate(app));

  test('it is generated exactly when azure can run the app', () => {
    const fifo = app.queues.some((q) => q.fifo);
    expect(generated.ok ? 'generated' : generated.code).toBe(fifo ? 'CAPABILITY_UNSUPPORTED' : 'generated');
  });

  if (!generated.ok) return;
  const template = generated.value;

  test("role assignments are data roles scoped to the app's own vault and storage account, with no broad role", () => {
    const assignments = template.resources.filter((r) => r.type === 'Microsoft.Authorization/roleAssignments');
    expect(assignments).toHaveLength(3);
    for (const a of assignments) {
      expect(a.scope).toMatch(
        /^\[format\('Microsoft\.(KeyVault\/vaults|Storage\/storageAccounts)\/\{0\}', variables\('(keyVaultName|storageAccountName)'\)\)\]$/,
      );
      expect(
        [ROLES.keyVaultSecretsUser, ROLES.storageBlobDataOwner, ROLES.storageQueueDataContributor].some((role) => JSON.stringify(a.properties).includes(role)),
      ).toBe(true);
    }
    const json = JSON.stringify(template);
    for (const broad of ['8e3af657-a8ff-443c-a75c-2fe8c4bcb635', 'b24988ac-6180-42a0-ab88-20f7382dd24c', '17d1049b-9a84-46fb-8f53-869881c3d3ab'])
      expect(json).not.toContain(broad);
  });

  test('no app setting holds a secret, and no account key is read anywhere (identity-based storage)', () => {
    const site = template.resources.find((r) => r.type === 'Microsoft.Web/sites')!;
    for (const s of (site.properties as Json).siteConfig.appSettings as { name: string; value: string }[]) {
      expect(s.value).not.toMatch(/AccountKey=|SharedAccessSignature=|sig=|password/i);
    }
    expect(JSON.stringify(template)).not.toContain('listKeys');
  });

  test.each(cases(app))('%s: HTTP authLevel is "function" unless public', (name, fn) => {
    const registered = new Map<string, Json>();
    const host = new Proxy({} as AzureFunctionsApp, {
      get: (_t, method: string) => (fnName: string, options: Json) => registered.set(fnName, { method, ...options }),
    });
    registerAzure(app, { functions: host, notFound: false });
    const reg = registered.get(name)!;
    if (fn.kind === 'http') expect(reg.authLevel).toBe(fn.public ? 'anonymous' : 'function');
    else expect(reg.method).not.toBe('http');
  });
});

describe.each(apps)('gcp deploy steps of the %s app', (_label, makeApp) => {
  const app = makeApp();
  const generated = generate(() => gcpDeploySteps(app));

  test('they are generated exactly when gcp can run the app', () => {
    // Queues and topics below Pub/Sub's 5 attempts run (the adapter dead-letters them); event functions need 5-100.
    const runnable = !app.queues.some((q) => q.fifo) && app.functions.every((f) => f.kind !== 'event' || f.maxAttempts >= 5);
    expect(generated.ok ? 'generated' : generated.code).toBe(runnable ? 'generated' : 'CAPABILITY_UNSUPPORTED');
  });

  if (!generated.ok) return;
  const steps: CliStep[] = generated.value;
  const appTopics = [...app.queues, ...app.topics].map((q) => `${app.name}-${q.name}`);

  test('nothing is granted on the project', () => {
    expect(steps.filter((s) => s.argv.includes('projects') && s.argv.some((a) => a.includes('iam-policy')))).toEqual([]);
  });

  test.each(cases(app))('%s: its own identity, publisher on named topics only, auth and retries from the definition', (name, fn) => {
    const sa = serviceAccountId(app.name, name);
    const member = `--member=serviceAccount:${sa}@\${PROJECT}.iam.gserviceaccount.com`;
    const deploy = steps.find((s) => s.argv[2] === 'deploy' && s.argv[3] === name)!.argv;
    expect(deploy).toContain(`--service-account=${sa}@\${PROJECT}.iam.gserviceaccount.com`);
    expect(deploy).toEqual(expect.arrayContaining(['--gen2', '--runtime=nodejs22', `--min-instances=${fn.warm}`]));
    const grants = steps.filter((s) => s.argv.includes(member));
    for (const g of grants) {
      if (g.argv[1] === 'functions') {
        expect(g.argv[2]).toBe('add-invoker-policy-binding');
        expect(g.argv[3]).toBe(name);
      } else {
        expect(g.argv).toContain('--role=roles/pubsub.publisher');
        const ownDeadLetter = (fn.kind === 'queue' || fn.kind === 'topic') && fn.source.deadLetter ? [`${app.name}-${fn.source.name}-dead-letter`] : [];
        expect([...appTopics, ...ownDeadLetter]).toContain(g.argv[4]);
      }
    }
    if (fn.kind === 'http') {
      expect(deploy).toContain(fn.public ? '--allow-unauthenticated' : '--no-allow-unauthenticated');
      expect(deploy).not.toContain('--retry');
      expect(deploy.some((a) => a.startsWith('--ingress-settings'))).toBe(false);
    } else {
      expect(deploy).toEqual(expect.arrayContaining(['--retry', `--trigger-service-account=${sa}@\${PROJECT}.iam.gserviceaccount.com`]));
      expect(grants.some((g) => g.argv[2] === 'add-invoker-policy-binding')).toBe(true);
      const update = steps.find(
        (s) => s.argv.slice(1, 4).join(' ') === 'pubsub subscriptions update' && s.argv[4]!.includes(`SUBSCRIPTION_${name.toUpperCase()}`),
      )!;
      const attempts = fn.kind === 'queue' || fn.kind === 'topic' ? fn.source.maxAttempts : fn.kind === 'event' ? fn.maxAttempts : 5;
      expect(update.argv).toContain(`--max-delivery-attempts=${Math.max(5, attempts)}`);
      // Nothing but its trigger reaches an event-driven function: no public ingress.
      expect(deploy).toContain('--ingress-settings=internal-only');
    }
  });
});
