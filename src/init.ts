import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { FaasportError } from './errors.js';

const APP = `import { createApp } from 'faasport';

export const app = createApp('starter');

const orders = app.queue<{ id: string }>('orders', { maxAttempts: 5, deadLetter: true });
const news = app.topic<{ title: string }>('news');

app.http('hello', { method: 'GET', route: '/hello/:name', public: true }, (req, ctx) =>
  Response.json({ hello: ctx.params.name }),
);

app.http('placeOrder', { method: 'POST', route: '/orders', sends: [orders] }, async (req) => {
  const { id } = await orders.send((await req.json()) as { id: string });
  return Response.json({ queued: id }, { status: 202 });
});

orders.consume('fulfil', async (msg, ctx) => {
  // At-least-once delivery: ctx.once runs the body once per key, even when a message repeats.
  await ctx.once(\`fulfil:\${msg.body.id}\`, async () => ctx.log.info('fulfilled', { id: msg.body.id }));
  await news.publish({ title: \`order \${msg.body.id} shipped\` });
}, { sends: [news] });

news.subscribe('announce', async (msg, ctx) => ctx.log.info('news', { title: msg.body.title }));

app.schedule('nightly', { cron: '0 3 * * *' }, async (tick, ctx) => ctx.log.info('nightly', { late: tick.isPastDue }));

app.event('uploaded', { type: 'com.example.object.created' }, async (event, ctx) => ctx.log.info('uploaded', { id: event.id }));
`;

const TEST = `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalRuntime } from 'faasport/local';
import { app } from './app.js';

test('hello answers with the name from the route', async () => {
  const runtime = createLocalRuntime(app, { logSink: () => {} });
  try {
    const res = await runtime.fetch(new Request('http://localhost/hello/ada'));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { hello: 'ada' });
  } finally {
    runtime.stop();
  }
});

test('an order is queued, fulfilled once, and announced', async () => {
  const runtime = createLocalRuntime(app, { logSink: () => {} });
  try {
    const res = await runtime.fetch(new Request('http://localhost/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'o1' }) }));
    assert.equal(res.status, 202);
    await runtime.whenIdle(5_000);
    assert.deepEqual(runtime.deadLetters('orders'), []);
  } finally {
    runtime.stop();
  }
});
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023', 'DOM', 'DOM.Iterable'],
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    // faasport's cloud entries name the types of optional packages (the AWS SDK's clients):
    // without skipLibCheck a project that imports faasport/aws without them fails to compile.
    skipLibCheck: true,
    noEmit: true,
  },
  include: ['*.ts'],
};

const GITIGNORE = 'node_modules/\ndist/\nconformance-report/\n';

/**
 * `faasport init [dir]`: a project that runs, builds and passes its own test at once. Refuses
 * to write over any file that is already there.
 */
export function initProject(dir: string, faasportVersion: string): string[] {
  const root = resolve(dir);
  const pkg = {
    name:
      basename(root)
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-')
        .replace(/^-+|-+$/g, '') || 'starter',
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      dev: 'faasport dev app.ts',
      test: 'node --import tsx --test app.test.ts',
      typecheck: 'tsc -p .',
      'build:aws': 'faasport build app.ts --target aws',
      'build:azure': 'faasport build app.ts --target azure',
      'build:gcp': 'faasport build app.ts --target gcp',
    },
    dependencies: { faasport: `^${faasportVersion}` },
    devDependencies: { '@types/node': '^22', tsx: '^4', typescript: '^5' },
    engines: { node: '>=20.19' },
  };
  const files: Record<string, string> = {
    'package.json': JSON.stringify(pkg, null, 2) + '\n',
    'tsconfig.json': JSON.stringify(TSCONFIG, null, 2) + '\n',
    'app.ts': APP,
    'app.test.ts': TEST,
    '.gitignore': GITIGNORE,
  };
  const existing = Object.keys(files).filter((name) => existsSync(join(root, name)));
  if (existing.length > 0) {
    throw new FaasportError('CONFIG_INVALID', `init: ${root} already has ${existing.join(', ')}; run "faasport init <new-folder>" or remove them`);
  }
  mkdirSync(root, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return Object.keys(files);
}
