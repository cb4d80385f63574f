import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { app } from '../../../examples/shop/app.js';
import { build, MAIN_FILE } from './build.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));

// Plain node (no vitest, no TypeScript): provide @azure/functions-core the way the worker
// does, load package.json `main`, and run one HTTP invocation through the library's model.
const WORKER = `
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const registered = new Map();
let model;
class Disposable { constructor(f) { this.f = f; } dispose() { this.f(); } }
const core = {
  version: '3.10.1', hostVersion: '4.0.0', Disposable, log() {},
  setProgrammingModel(m) { model = m; }, getProgrammingModel: () => model,
  registerFunction(metadata, callback) { registered.set(metadata.name, { metadata, callback }); return new Disposable(() => {}); },
  registerHook() { return new Disposable(() => {}); },
};
Module.prototype.require = new Proxy(Module.prototype.require, {
  apply: (target, self, args) => (args[0] === '@azure/functions-core' ? core : Reflect.apply(target, self, args)),
});
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
await import(pathToFileURL(pkg.main).href);
const hello = registered.get('hello');
const [triggerName] = Object.entries(hello.metadata.bindings).find(([, b]) => b.type === 'httpTrigger');
const coreCtx = {
  invocationId: 'inv-1', metadata: hello.metadata, log() {},
  request: { invocationId: 'inv-1', triggerMetadata: {}, inputData: [{ name: triggerName, data: { http: { method: 'GET', url: 'https://shop.example/hello/ada', headers: {}, query: {}, params: { name: 'ada' } } } }] },
};
const invocation = model.getInvocationModel(coreCtx);
const { context, inputs } = await invocation.getArguments();
const response = await invocation.getResponse(context, await invocation.invokeFunction(context, inputs, hello.callback));
const triggers = Object.fromEntries([...registered].map(([name, f]) => [name, Object.values(f.metadata.bindings).find((b) => /Trigger$/.test(b.type))]));
console.log(JSON.stringify({ model: model.name, triggers, status: response.returnValue.http.statusCode, body: Buffer.from(response.returnValue.http.body.bytes).toString() }));
`;

describe('faasport build --target azure (examples/shop)', () => {
  let outDir: string;
  const lines: string[] = [];

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'faasport-azure-build-'));
    await build({ entry: join(repo, 'examples/shop/app.ts'), exportName: 'app', outDir, app, log: (l) => lines.push(l) });
    // Stands in for `npm install` in the output folder.
    await symlink(join(repo, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  }, 60_000);
  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  test('host.json carries the queue policy, no route prefix and message text read as sent (messageEncoding none)', async () => {
    const host = JSON.parse(await readFile(join(outDir, 'host.json'), 'utf8'));
    expect(host).toMatchObject({
      version: '2.0',
      // Bundle 4.x carries the Storage queues extension 5.x, the first with messageEncoding.
      extensionBundle: { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' },
      functionTimeout: '00:00:30',
      extensions: { http: { routePrefix: '' }, queues: { maxDequeueCount: 5, visibilityTimeout: '00:00:00.100', messageEncoding: 'none' } },
    });
  });

  test('the build log says who dead-letters each queue: host.json counts 5 for the app, faasport stops orders at 3', () => {
    expect(lines).toContain(
      'azure: queue "orders": the host moves a message to orders-poison after 5 dequeues (host.json maxDequeueCount, one for the app); faasport dead-letters at 3, with the handler\'s error',
    );
    expect(lines).toContain(
      'azure: topic "shipped" subscriber "notifyCustomer": the host moves a message to shipped-notifycustomer-poison after 5 dequeues (host.json maxDequeueCount, one for the app); faasport writes the dead-letter envelope with the handler\'s error on that attempt, before the host would',
    );
  });

  test('package.json points main at the bundle and lists only Azure dependencies', async () => {
    const pkg = JSON.parse(await readFile(join(outDir, 'package.json'), 'utf8'));
    expect(pkg.main).toBe(MAIN_FILE);
    expect(pkg.type).toBe('module');
    // @azure/identity: the deployed storage connection is the app's managed identity, not a key.
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@azure/functions', '@azure/identity', '@azure/storage-queue']);
  });

  test('the bundle holds no AWS or Google code', async () => {
    const bundle = await readFile(join(outDir, MAIN_FILE), 'utf8');
    expect(bundle).not.toMatch(/@aws-sdk|@google-cloud|aws-lambda|functions-framework/);
    // @azure/functions is required from the app's node_modules when registerAzure runs (the
    // copy the host's worker uses), never bundled; the next test registers through it.
    expect(bundle).toMatch(/\("@azure\/functions"\)/);
    expect(bundle).not.toMatch(/node_modules\/@azure\/functions\//);
  });

  test('the entry registers every function through @azure/functions under plain node', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', WORKER], { cwd: outDir, timeout: 30_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result.model).toBe('@azure/functions');
    expect(result.status).toBe('200');
    expect(JSON.parse(result.body)).toEqual({ hello: 'ada' });
    expect(result.triggers.hello).toMatchObject({ type: 'httpTrigger', route: 'hello/{name}', authLevel: 'anonymous', methods: ['GET', 'HEAD'] });
    expect(result.triggers.placeOrder).toMatchObject({ type: 'httpTrigger', route: 'orders', methods: ['POST'] });
    expect(result.triggers.fulfil).toMatchObject({ type: 'queueTrigger', queueName: 'orders', connection: 'AzureWebJobsStorage' });
    expect(result.triggers.notifyCustomer).toMatchObject({ type: 'queueTrigger', queueName: 'shipped-notifycustomer' });
    expect(result.triggers.nightlyReport).toMatchObject({ type: 'timerTrigger', schedule: '0 0 3 * * *' });
    expect(result.triggers.onEvent).toMatchObject({ type: 'eventGridTrigger' });
    expect(result.triggers.faasportNotFound).toMatchObject({ type: 'httpTrigger', route: '{*faasport_rest}', authLevel: 'anonymous' });
  }, 40_000);
});
