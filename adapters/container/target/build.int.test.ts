import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { main } from '../../../src/cli.js';
import { parseDockerfile } from '../testing/dockerfile.js';
import type { ContainerCloud } from '../runtime/adapter.js';

// `faasport build examples/shop/app.ts --target container --cloud <cloud>` through the CLI,
// then every file it wrote parsed and checked.
const run = promisify(execFile);
const outDirs = new Map<ContainerCloud, string>();
const clouds: ContainerCloud[] = ['aws', 'gcp', 'azure'];

beforeAll(async () => {
  for (const cloud of clouds) {
    const outDir = mkdtempSync(join(tmpdir(), `faasport-container-build-${cloud}-`));
    const lines: string[] = [];
    const code = await main(['build', 'examples/shop/app.ts', '--target', 'container', '--cloud', cloud, '--out', outDir], {
      cwd: process.cwd(),
      env: {},
      output: { line: (t) => lines.push(t), error: (t) => lines.push(t) },
    });
    expect(code, lines.join('\n')).toBe(0);
    outDirs.set(cloud, outDir);
  }
});

afterAll(() => {
  for (const dir of outDirs.values()) rmSync(dir, { recursive: true, force: true });
});

const read = (cloud: ContainerCloud, file: string): string => readFileSync(join(outDirs.get(cloud)!, file), 'utf8');

describe('faasport build --target container', () => {
  it('refuses a build without --cloud, naming the three', async () => {
    const errors: string[] = [];
    const code = await main(['build', 'examples/shop/app.ts', '--target', 'container', '--out', join(tmpdir(), 'faasport-never-written')], {
      cwd: process.cwd(),
      env: {},
      output: { line: () => {}, error: (t) => errors.push(t) },
    });
    expect(code).toBe(1);
    expect(errors.join('')).toMatch(/missing --cloud; pass --cloud aws \(ECS Fargate\), gcp \(Cloud Run\) or azure \(Container Apps\) \[CONFIG_INVALID\]/);
  });

  it.each(clouds)('%s: the Dockerfile builds on Node 22 slim, installs with npm ci --omit=dev, runs as uid 1000 with a health check', (cloud) => {
    const instructions = parseDockerfile(read(cloud, 'Dockerfile'));
    const froms = instructions.filter((i) => i.name === 'FROM').map((i) => i.args.split(/\s+/)[0]);
    expect(froms).toEqual(['node:22-slim', 'node:22-slim']);
    const lastStage = instructions.slice(instructions.map((i) => i.name).lastIndexOf('FROM'));
    const user = lastStage.filter((i) => i.name === 'USER').map((i) => i.args);
    expect(user).toEqual(['1000:1000']);
    expect(instructions.filter((i) => i.name === 'RUN').map((i) => i.args)).toEqual(['npm ci --omit=dev --ignore-scripts --no-audit --no-fund']);
    const health = lastStage.find((i) => i.name === 'HEALTHCHECK')!;
    expect(health.args).toMatch(/^--interval=\d+s .*CMD \[/);
    expect(JSON.parse(health.args.slice(health.args.indexOf('['))).join(' ')).toContain('/_faasport/healthz');
    // Only the bundle, its map, package.json and production node_modules reach the image.
    const copied = lastStage.filter((i) => i.name === 'COPY').map((i) => i.args);
    expect(copied).toEqual(['--from=deps /app/node_modules ./node_modules', 'package.json server.mjs server.mjs.map ./']);
    expect(lastStage.find((i) => i.name === 'CMD')!.args).toBe('["node", "--enable-source-maps", "server.mjs"]');
    expect(read(cloud, '.dockerignore').split('\n')[0]).toBe('*');
  });

  it.each(clouds)('%s: package-lock.json satisfies npm ci --omit=dev (checked by npm itself, offline) and pins the SDK', async (cloud) => {
    const pkg = JSON.parse(read(cloud, 'package.json'));
    const lock = JSON.parse(read(cloud, 'package-lock.json'));
    expect(lock.packages[''].dependencies).toEqual(pkg.dependencies);
    expect(pkg.engines.node).toBe('>=22');
    for (const version of Object.values(pkg.dependencies as Record<string, string>)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const [path, entry] of Object.entries(lock.packages as Record<string, Record<string, unknown>>)) {
      if (path === '') continue;
      expect(entry.dev, path).toBeUndefined();
      expect(entry.integrity, path).toMatch(/^sha512-/);
    }
    // An empty cache and --offline: npm checks the lockfile against package.json without fetching.
    const cache = mkdtempSync(join(tmpdir(), 'faasport-npm-cache-'));
    try {
      const { stdout } = await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--dry-run', '--offline', '--no-audit', '--no-fund', '--cache', cache], {
        cwd: outDirs.get(cloud)!,
      });
      for (const name of Object.keys(pkg.dependencies)) expect(stdout).toContain(`add ${name} ${pkg.dependencies[name]}`);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it.each(clouds)('%s: every package the bundle imports is a Node built-in or a dependency of its package.json (npm ci installs nothing else)', (cloud) => {
    const bundle = read(cloud, 'server.mjs');
    const deps = Object.keys((JSON.parse(read(cloud, 'package.json')) as { dependencies: Record<string, string> }).dependencies);
    const specifiers = [
      ...bundle.matchAll(/^import\s+(?:[^'"]*?\s+from\s+)?["']([^"'./][^"']*)["']/gm),
      ...bundle.matchAll(/\bimport\(\s*["']([^"'./][^"']*)["']\s*\)/g),
    ].map((m) => m[1]!);
    expect(specifiers.length).toBeGreaterThan(0);
    const packageOf = (s: string) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!);
    const missing = specifiers.filter((s) => !s.startsWith('node:') && !builtinModules.includes(s) && !deps.includes(packageOf(s)));
    expect(missing).toEqual([]);
    // What a user saw: the Azure image imported @azure/functions (faasport/azure's registerAzure), which it does not install.
    expect(bundle).not.toContain('@azure/functions');
  });

  it.each(clouds)("%s: the bundle holds no other cloud's SDK", (cloud) => {
    const bundle = read(cloud, 'server.mjs');
    const others = { aws: ['@azure/', '@google-cloud/'], gcp: ['@aws-sdk/', '@azure/'], azure: ['@aws-sdk/', '@google-cloud/'] }[cloud];
    for (const other of others) expect(bundle).not.toContain(other);
  });

  it("aws: an ECS Fargate template with the Lambda template's queues and redrive, a least-privilege task role and one schedule runner", () => {
    const t = JSON.parse(read('aws', 'ecs-template.json'));
    const r = t.Resources;
    expect(r.OrdersQueue.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['OrdersDeadLetterQueue', 'Arn'] }, maxReceiveCount: 3 });
    expect(r.ShippedNotifyCustomerQueue.Properties.RedrivePolicy.maxReceiveCount).toBe(5);
    expect(r.ShippedNotifyCustomerSubscription.Properties).toMatchObject({ Protocol: 'sqs' });
    const statements = r.TaskRole.Properties.Policies[0].PolicyDocument.Statement as { Sid: string; Action: string[]; Resource: unknown[] }[];
    expect(JSON.stringify(statements)).not.toContain('"*"');
    expect(Object.fromEntries(statements.map((s) => [s.Sid, s]))).toEqual({
      ConsumeQueues: {
        Sid: 'ConsumeQueues',
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        Resource: [
          { 'Fn::GetAtt': ['OrdersQueue', 'Arn'] },
          { 'Fn::GetAtt': ['ShippedNotifyCustomerQueue', 'Arn'] },
          { 'Fn::GetAtt': ['OnEventEventsQueue', 'Arn'] },
        ],
      },
      WriteDeadLetters: {
        Sid: 'WriteDeadLetters',
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: [
          { 'Fn::GetAtt': ['OrdersDeadLetterQueue', 'Arn'] },
          { 'Fn::GetAtt': ['ShippedNotifyCustomerDeadLetterQueue', 'Arn'] },
          { 'Fn::GetAtt': ['OnEventEventsDeadLetterQueue', 'Arn'] },
        ],
      },
      SendToQueues: { Sid: 'SendToQueues', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [{ 'Fn::GetAtt': ['OrdersQueue', 'Arn'] }] },
      PublishToTopics: { Sid: 'PublishToTopics', Effect: 'Allow', Action: ['sns:Publish'], Resource: [{ Ref: 'ShippedTopic' }] },
    });
    const container = r.TaskDefinition.Properties.ContainerDefinitions[0];
    expect(container).toMatchObject({ User: '1000:1000', ReadonlyRootFilesystem: true, StopTimeout: 30 });
    expect(container.HealthCheck.Command.join(' ')).toContain('/_faasport/healthz');
    const env = Object.fromEntries(container.Environment.map((e: { Name: string; Value: unknown }) => [e.Name, e.Value]));
    expect(env).toMatchObject({
      FAASPORT_GRACE_MS: '25000',
      FAASPORT_QUEUE_URL_ORDERS: { Ref: 'OrdersQueue' },
      FAASPORT_QUEUE_URL_ORDERS_DLQ: { Ref: 'OrdersDeadLetterQueue' },
      FAASPORT_TOPIC_ARN_SHIPPED: { Ref: 'ShippedTopic' },
    });
    expect(env.FAASPORT_SCHEDULES).toBeUndefined();
    expect(r.SchedulerService.Properties).toMatchObject({ DesiredCount: 1, DeploymentConfiguration: { MinimumHealthyPercent: 0, MaximumPercent: 100 } });
    expect(r.SchedulerTaskDefinition.Properties.ContainerDefinitions[0].Environment).toContainEqual({ Name: 'FAASPORT_SCHEDULES', Value: 'run' });
    expect(r.CpuScaling.Properties.PolicyType).toBe('TargetTrackingScaling');
    // Events: the unfiltered onEvent's rule on the app's own bus targets its SQS queue, and only that rule may send there.
    expect(r.OnEventEventsRule.Properties).toEqual({
      EventBusName: { Ref: 'AppEventBus' },
      EventPattern: { source: [{ exists: true }] },
      State: 'ENABLED',
      Targets: [
        {
          Id: 'container',
          Arn: { 'Fn::GetAtt': ['OnEventEventsQueue', 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['OnEventEventsDeadLetterQueue', 'Arn'] } },
        },
      ],
    });
    expect(r.OnEventEventsQueue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['OnEventEventsDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(r.OnEventEventsQueuePolicy.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: [{ 'Fn::GetAtt': ['OnEventEventsQueue', 'Arn'] }, { 'Fn::GetAtt': ['OnEventEventsDeadLetterQueue', 'Arn'] }],
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['OnEventEventsRule', 'Arn'] } } },
      },
    ]);
    expect(env.FAASPORT_QUEUE_URL_ONEVENT_EVENTS).toEqual({ Ref: 'OnEventEventsQueue' });
    expect(r.OnEventFailedEventsQueue).toBeUndefined();
    expect(t.Outputs.EventBusName.Value).toEqual({ Ref: 'AppEventBus' });
    expect(Object.keys(r).filter((id) => r[id].Type.startsWith('AWS::Serverless') || r[id].Type === 'AWS::Lambda::Function')).toEqual([]);
  });

  it('gcp: a Cloud Run service with CPU always on, pull subscriptions with dead-letter policies, and grants only on those resources', () => {
    const docs = parseAllDocuments(read('gcp', 'cloud-run.yaml')).map((d) => d.toJS()) as {
      apiVersion: string;
      kind: string;
      metadata: { name: string; annotations?: Record<string, string> };
      spec: Record<string, any>;
    }[];
    const service = docs.find((d) => d.kind === 'Service')!;
    expect(service.apiVersion).toBe('serving.knative.dev/v1');
    expect(service.spec.template.metadata.annotations).toMatchObject({ 'autoscaling.knative.dev/minScale': '1', 'run.googleapis.com/cpu-throttling': 'false' });
    expect(service.spec.template.spec.containers[0].livenessProbe.httpGet.path).toBe('/_faasport/healthz');
    const subscriptions = Object.fromEntries(docs.filter((d) => d.kind === 'PubSubSubscription').map((d) => [d.metadata.name, d.spec]));
    expect(subscriptions['shop-orders-fulfil']).toMatchObject({
      topicRef: { name: 'shop-orders' },
      deadLetterPolicy: { deadLetterTopicRef: { name: 'shop-orders-dead-letter' }, maxDeliveryAttempts: 5 },
    });
    expect(subscriptions['shop-shipped-notifyCustomer']).toMatchObject({
      topicRef: { name: 'shop-shipped' },
      deadLetterPolicy: { deadLetterTopicRef: { name: 'shop-shipped-dead-letter' } },
    });
    expect(subscriptions['shop-orders-dead-letter']).toMatchObject({ topicRef: { name: 'shop-orders-dead-letter' } });
    const topics = docs.filter((d) => d.kind === 'PubSubTopic').map((d) => d.metadata.name);
    for (const s of Object.values(subscriptions)) expect(topics).toContain(s.topicRef.name);
    const grants = docs.filter((d) => d.kind === 'IAMPolicyMember').map((d) => d.spec);
    const pubsubGrants = grants.filter((g) => g.role.startsWith('roles/pubsub.'));
    expect(new Set(pubsubGrants.map((g) => g.role))).toEqual(new Set(['roles/pubsub.subscriber', 'roles/pubsub.viewer', 'roles/pubsub.publisher']));
    for (const g of pubsubGrants) expect(['PubSubTopic', 'PubSubSubscription']).toContain(g.resourceRef.kind);
    const runner = grants.filter((g) => g.member.startsWith('serviceAccount:shop-runner@'));
    expect(
      runner
        .filter((g) => g.role === 'roles/pubsub.publisher')
        .map((g) => g.resourceRef.name)
        .sort(),
    ).toEqual(['shop-orders', 'shop-orders-dead-letter', 'shop-shipped', 'shop-shipped-dead-letter']);
    // Every grant is on one named resource; the only project-level one is Eventarc's receiver role for its trigger account.
    expect(grants.filter((g) => g.resourceRef.kind === 'Project').map((g) => [g.member, g.role])).toEqual([
      ['serviceAccount:shop-events@${PROJECT_ID}.iam.gserviceaccount.com', 'roles/eventarc.eventReceiver'],
    ]);
  });

  it('gcp: schedules and events reach a private control service through IAM and OIDC; the control token comes from Secret Manager, never as a value in the file', () => {
    const text = read('gcp', 'cloud-run.yaml');
    const docs = parseAllDocuments(text).map((d) => d.toJS()) as {
      kind: string;
      metadata: { name: string; annotations?: Record<string, string> };
      spec: Record<string, any>;
    }[];
    const services = Object.fromEntries(docs.filter((d) => d.kind === 'Service').map((d) => [d.metadata.name, d.spec.template]));
    expect(Object.keys(services)).toEqual(['shop', 'shop-control']);
    const env = (name: string): Record<string, unknown> =>
      Object.fromEntries(
        services[name].spec.containers[0].env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]),
      );
    for (const name of ['shop', 'shop-control'])
      expect(env(name).FAASPORT_CONTROL_TOKEN).toEqual({ secretKeyRef: { name: 'shop-control-token', key: 'latest' } });
    expect(env('shop-control')).toMatchObject({ FAASPORT_CONSUMERS: 'none', FAASPORT_CONTROL_AUTH: 'platform-iam' });
    expect(env('shop').FAASPORT_CONTROL_AUTH).toBeUndefined();
    expect(services['shop-control'].metadata.annotations['autoscaling.knative.dev/minScale']).toBe('0');
    expect(text).not.toMatch(/CONTROL_TOKEN\}|x-faasport-control-token/i);
    expect(docs.find((d) => d.kind === 'SecretManagerSecret')!.metadata.name).toBe('shop-control-token');
    const grants = docs.filter((d) => d.kind === 'IAMPolicyMember').map((d) => d.spec);
    expect(grants.filter((g) => g.resourceRef.kind === 'SecretManagerSecret').map((g) => [g.member, g.role])).toEqual([
      ['serviceAccount:shop-runner@${PROJECT_ID}.iam.gserviceaccount.com', 'roles/secretmanager.secretAccessor'],
    ]);
    const service = (ref: { external: string }): string => ref.external.split('/').pop()!;
    // shop has public routes, so its service takes anyone; the control service only the scheduler's and Eventarc's accounts.
    expect(grants.filter((g) => g.role === 'roles/run.invoker').map((g) => [service(g.resourceRef), g.member])).toEqual([
      ['shop', 'allUsers'],
      ['shop-control', 'serviceAccount:shop-scheduler@${PROJECT_ID}.iam.gserviceaccount.com'],
      ['shop-control', 'serviceAccount:shop-events@${PROJECT_ID}.iam.gserviceaccount.com'],
    ]);
    const job = docs.find((d) => d.kind === 'CloudSchedulerJob')!;
    expect(job.spec).toMatchObject({ schedule: '0 3 * * *' });
    expect(job.spec.httpTarget).toEqual({
      uri: '${CONTROL_SERVICE_URL}/_faasport/schedules/nightlyReport/run',
      httpMethod: 'POST',
      oidcToken: { serviceAccountEmail: 'shop-scheduler@${PROJECT_ID}.iam.gserviceaccount.com', audience: '${CONTROL_SERVICE_URL}' },
    });
    const trigger = docs.find((d) => d.kind === 'EventarcTrigger')!;
    expect(trigger.spec).toEqual({
      location: '${REGION}',
      matchingCriteria: [{ attribute: 'type', value: '${EVENT_TYPE_ONEVENT}' }],
      destination: { cloudRunService: { serviceRef: { external: 'shop-control' }, region: '${REGION}', path: '/_faasport/events' } },
      serviceAccountRef: { name: 'shop-events' },
    });
  });

  it('azure: a Container App with KEDA queue-length rules per consumer queue, a managed identity and no secret, and a one-replica schedule runner', () => {
    const main = parse(read('azure', 'container-app.yaml'));
    const rules = main.properties.template.scale.rules as { name: string; azureQueue?: Record<string, unknown> }[];
    expect(rules.filter((r) => r.azureQueue).map((r) => r.azureQueue)).toEqual([
      { accountName: '${STORAGE_ACCOUNT}', queueName: 'orders', queueLength: 20, identity: '${IDENTITY_ID}' },
      { accountName: '${STORAGE_ACCOUNT}', queueName: 'shipped-notifycustomer', queueLength: 20, identity: '${IDENTITY_ID}' },
      { accountName: '${STORAGE_ACCOUNT}', queueName: 'onevent-events', queueLength: 20, identity: '${IDENTITY_ID}' },
    ]);
    // Event Grid delivers onEvent's events (CloudEvents schema) to the queue the server consumes.
    const grid = JSON.parse(read('azure', 'event-grid.json'));
    expect(Object.keys(grid.parameters)).toEqual(['storageAccountName', 'eventSource_onEvent']);
    expect(grid.resources).toEqual([
      {
        type: 'Microsoft.EventGrid/eventSubscriptions',
        apiVersion: '2022-06-15',
        name: 'shop-onevent',
        scope: "[parameters('eventSource_onEvent')]",
        properties: {
          destination: {
            endpointType: 'StorageQueue',
            properties: {
              resourceId: "[resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))]",
              queueName: 'onevent-events',
              queueMessageTimeToLiveInSeconds: 604800,
            },
          },
          eventDeliverySchema: 'CloudEventSchemaV1_0',
          filter: {},
          retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
        },
      },
    ]);
    const container = main.properties.template.containers[0];
    // The server and the scaler reach storage as the app's user-assigned identity: no connection string anywhere.
    expect(main.identity).toEqual({ type: 'UserAssigned', userAssignedIdentities: { '${IDENTITY_ID}': {} } });
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'AzureWebJobsStorage__accountName', value: '${STORAGE_ACCOUNT}' },
        { name: 'AzureWebJobsStorage__clientId', value: '${IDENTITY_CLIENT_ID}' },
      ]),
    );
    expect(container.env.map((e: { name: string }) => e.name)).not.toContain('AzureWebJobsStorage');
    expect(read('azure', 'container-app.yaml')).not.toMatch(/secret|CONNECTION_STRING/i);
    expect(container.probes.map((p: { type: string; httpGet: { path: string } }) => [p.type, p.httpGet.path])).toEqual([
      ['Liveness', '/_faasport/healthz'],
      ['Readiness', '/_faasport/readyz'],
    ]);
    expect(Object.keys(JSON.parse(read('azure', 'package.json')).dependencies)).toEqual(['@azure/storage-queue', '@azure/identity']);
    const runner = parse(read('azure', 'container-app-scheduler.yaml'));
    expect(runner.properties.template.scale).toEqual({ minReplicas: 1, maxReplicas: 1 });
    expect(runner.properties.configuration.ingress).toBeUndefined();
    expect(runner.properties.template.containers[0].env).toContainEqual({ name: 'FAASPORT_SCHEDULES', value: 'run' });
  });
});
