// The user's path: the tarball `npm pack` makes, installed into a project outside the
// repository, driven only through its `faasport` bin. One pack and one install per run.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'faasport-packed-'));
const project = join(work, 'project');
const bin = join(project, 'node_modules', '.bin', 'faasport');
const children: ChildProcess[] = [];

// npm passes its own npm_* settings to scripts; the user's shell has none of them.
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_|^VITEST|^NODE_OPTIONS$/i.test(k)));
delete env.NODE_ENV;
// npm's cache is warm after `npm ci`. --ignore-scripts: faasport has no install script, and an
// optional native dependency (better-sqlite3, only for --persist) would compile for minutes.
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'];
const npmEnv = {
  ...env,
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_ignore_scripts: 'true',
  npm_config_update_notifier: 'false',
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      file,
      [...args],
      { cwd: options.cwd ?? project, env: options.env ?? env, timeout: options.timeoutMs ?? 90_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 124) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

const faasport = (args: readonly string[], timeoutMs?: number) => run(bin, args, timeoutMs ? { timeoutMs } : {});

/** A long-running process; its output collected; killed in afterAll at the latest. */
function start(file: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn(file, [...args], { cwd: options.cwd ?? project, env: options.env ?? env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out.stderr += c.toString()));
  const exited = new Promise<number>((done) => child.on('exit', (code) => done(code ?? -1)));
  return { child, out, exited };
}

function stop(child: ChildProcess): void {
  // The whole process group: `sh -c "cd … && npm install && npx …"` starts several.
  if (child.exitCode === null && child.pid) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => done(port));
    });
  });
}

/** The every-trigger app of the README, exactly as the README shows it. */
function readmeApp(): string {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const block = /<!-- example:every-trigger:start -->\n```ts\n([\s\S]*?)```\n<!-- example:every-trigger:end -->/.exec(readme);
  if (!block) throw new Error('README.md has no every-trigger example block');
  return block[1]!;
}

let tarball = '';
let packedFiles: string[] = [];

/** A promise whose failure waits for the test that awaits it. */
function background<T>(work: () => Promise<T>): () => Promise<T> {
  const settled = work().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  return async () => {
    const result = await settled;
    if ('error' in result) throw result.error;
    return result.value;
  };
}

// The slow, independent steps run beside the others: the conformance run, and the built gcp
// folder installed and served as the build prints it.
let conformanceRun: () => Promise<Run>;
let gcpServed: () => Promise<{ printed: string; body: unknown }>;

beforeAll(async () => {
  // Prepare: pack (prepack builds dist), then install the tarball as a user would. tsup's type
  // build of the 22 entries takes about a minute on an idle 2-core machine, longer beside the
  // other suites.
  const packed = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: repo, timeoutMs: 420_000 });
  expect(packed.code, packed.stderr).toBe(0);
  // prepack's build log comes first on stdout, coloured when the runner forces colour (its
  // ANSI escapes hold '['): the JSON is the array that starts a line.
  const jsonStart = packed.stdout.search(/^\[\s*(\{|\])/m);
  expect(jsonStart, packed.stdout).toBeGreaterThanOrEqual(0);
  const info = JSON.parse(packed.stdout.slice(jsonStart)) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info[0]!.filename);
  packedFiles = info[0]!.files.map((f) => f.path);
  rmSync(project, { recursive: true, force: true });
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'packed-user', private: true, type: 'module' }, null, 2));
  // What the README table says building for azure and running the gcp harness need, and Node's types.
  const installed = await run('npm', ['install', ...NPM_FLAGS, tarball, '@google-cloud/functions-framework', '@azure/functions', '@types/node'], {
    timeoutMs: 180_000,
  });
  expect(installed.code, installed.stderr).toBe(0);
  writeFileSync(join(project, 'app.ts'), readmeApp());
  conformanceRun = background(() => faasport(['conformance', '--adapter', 'local', '--adapter', 'gcp', '--out', join(work, 'report')], 150_000));
  gcpServed = background(async () => {
    const built = await faasport(['build', 'app.ts', '--target', 'gcp', '--out', 'served/gcp']);
    const printed = /serve one with: (.+)$/m.exec(built.stdout)?.[1];
    if (!printed) throw new Error(`the gcp build printed no serve command: ${built.stdout}${built.stderr}`);
    const port = await freePort();
    const served = start('sh', ['-c', printed.replace('<function>', 'hello')], { env: { ...npmEnv, PORT: String(port) } });
    const body = await until(
      'the functions framework to answer',
      async () => {
        if (served.child.exitCode !== null) throw new Error(`exited: ${served.out.stderr}`);
        const res = await fetch(`http://127.0.0.1:${port}/hello/ada`).catch(() => undefined);
        return res ? ((await res.json()) as unknown) : undefined;
      },
      150_000,
    );
    stop(served.child);
    return { printed, body };
  });
}, 660_000);

afterAll(() => {
  for (const c of children) stop(c);
  rmSync(work, { recursive: true, force: true });
});

describe('the packed package, installed into a project outside the repository', { timeout: 240_000 }, () => {
  it('ships every entry of package.json built, with types and maps whose sources are inside the maps; nothing from node_modules is bundled; no file over 600 KB but maps', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { exports: Record<string, { import: string; types: string } | string> };
    const entries = Object.values(pkg.exports)
      .flatMap((e) => (typeof e === 'string' ? [e] : [e.import, e.types]))
      .map((f) => f.replace(/^\.\//, ''));
    expect(entries).toEqual(
      expect.arrayContaining([
        'dist/aws.js',
        'dist/aws-target.js',
        'dist/aws-dev.js',
        'dist/aws-testing.js',
        'dist/adapter-kit.js',
        'dist/container-target.js',
      ]),
    );
    expect(packedFiles).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/cli.js', ...entries]));
    // No file over 600 KB besides source maps: nothing big (an emulator, a bundled tree) rides along.
    const dist = join(project, 'node_modules', 'faasport', 'dist');
    const big = readdirSync(dist).filter((f) => !f.endsWith('.map') && statSync(join(dist, f)).size > 600 * 1024);
    expect(big).toEqual([]);
    expect(packedFiles.filter((f) => !f.startsWith('dist/') && f !== 'package.json' && f !== 'README.md' && f !== 'LICENSE')).toEqual([]);
    for (const file of readdirSync(dist).filter((f) => f.endsWith('.map'))) {
      const map = JSON.parse(readFileSync(join(dist, file), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(
        map.sources.filter((s) => s.includes('node_modules')),
        `${file} bundles third-party code`,
      ).toEqual([]);
      map.sources.forEach((source, i) =>
        expect(typeof map.sourcesContent?.[i] === 'string' || existsSync(join(dist, source)), `${file}: ${source}`).toBe(true),
      );
    }
  });

  it('passes publint and @arethetypeswrong/cli (esm-only profile)', async () => {
    const { publint } = await import('publint');
    const { messages } = await publint({ pkgDir: join(project, 'node_modules', 'faasport'), strict: true, pack: false });
    expect(messages.map((m) => `${m.type} ${m.code} ${m.path.join('.')}`)).toEqual([]);
    const attw = await run(join(repo, 'node_modules', '.bin', 'attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii'], { cwd: repo });
    expect(attw.code, attw.stdout + attw.stderr).toBe(0);
  });

  it('every command has --help; a typo gets a suggestion', async () => {
    const commands = ['init', 'dev', 'build', 'deploy', 'conformance'];
    const helps = await Promise.all(commands.map((command) => faasport([command, '--help'])));
    helps.forEach((help, i) => {
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`Usage: faasport ${commands[i]}`));
    });
    expect((await faasport(['deploy', '--help'])).stdout).toMatch(/--role[\s\S]*--endpoint-url[\s\S]*--resource-group[\s\S]*--project/);
    const typo = await faasport(['dev', 'app.ts', '--prot', '3001']);
    expect(typo.code).toBe(2);
    expect(typo.stderr.trim()).toBe('faasport dev: unknown option --prot (did you mean --port?); run "faasport dev --help" for its options [UNKNOWN_OPTION]');
  });

  it('build for azure without @azure/functions is one line naming the npm install line; with it, every target builds', async () => {
    // Prepare: the package out of node_modules, as in a project that never installed it.
    const azureFunctions = join(project, 'node_modules', '@azure', 'functions');
    renameSync(azureFunctions, `${azureFunctions}-aside`);
    try {
      const missing = await faasport(['build', 'app.ts', '--target', 'azure']);
      expect(missing.code).toBe(1);
      expect(missing.stderr.trim()).toBe(
        'faasport build: faasport build --target azure needs the package "@azure/functions", not installed here; run: npm install @azure/functions [PACKAGE_MISSING]',
      );
    } finally {
      renameSync(`${azureFunctions}-aside`, azureFunctions);
    }
    const targets = ['aws', 'azure', 'gcp'];
    const builds = await Promise.all(targets.map((target) => faasport(['build', 'app.ts', '--target', target], 120_000)));
    builds.forEach((built, i) => {
      expect(built.code, `${targets[i]}: ${built.stderr}`).toBe(0);
      expect(built.stderr).toBe('');
    });
    // Node version policy: every generated artifact names the Node 22 runtime.
    expect(JSON.parse(readFileSync(join(project, 'dist/gcp/package.json'), 'utf8')).engines.node).toBe('>=22');
    expect(JSON.parse(readFileSync(join(project, 'dist/azure/package.json'), 'utf8')).engines.node).toBe('>=22');
    expect(readFileSync(join(project, 'dist/aws/template.json'), 'utf8')).toContain('nodejs22.x');
  });

  it("--out refuses the project folder: the user's package.json is never overwritten", async () => {
    const before = readFileSync(join(project, 'package.json'), 'utf8');
    const refused = await faasport(['build', 'app.ts', '--target', 'azure', '--out', '.']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/holds files faasport did not write/);
    expect(readFileSync(join(project, 'package.json'), 'utf8')).toBe(before);
  });

  it('a handler of the built aws file answers an API Gateway v2 event', async () => {
    const event = {
      version: '2.0',
      routeKey: 'GET /hello/{name}',
      rawPath: '/hello/ada',
      rawQueryString: '',
      headers: { host: 'example.com' },
      requestContext: {
        http: { method: 'GET', path: '/hello/ada', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'test' },
        requestId: 'r1',
        routeKey: 'GET /hello/{name}',
        stage: '$default',
        domainName: 'example.com',
        time: '',
        timeEpoch: 0,
        accountId: '1',
        apiId: 'a',
      },
      pathParameters: { name: 'ada' },
      isBase64Encoded: false,
    };
    const script = `const m = await import('./dist/aws/index.mjs');
const ctx = { awsRequestId: 'r1', functionName: 'hello', invokedFunctionArn: 'arn:aws:lambda:us-east-1:1:function:hello', getRemainingTimeInMillis: () => 3000 };
process.stdout.write(JSON.stringify(await m.hello(${JSON.stringify(event)}, ctx)));`;
    const result = await run(process.execPath, ['--input-type=module', '-e', script]);
    expect(result.code, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ hello: 'ada', from: '203.0.113.9' });
    // Built from the installed package (its dist chunks, not the repository's sources): the
    // runtime only, and no top-level createRequire besides the banner's (no work at load).
    const code = readFileSync(join(project, 'dist/aws/index.mjs'), 'utf8');
    expect(code.match(/^(?:var|let|const) \w+ = createRequire\d*\(/gm) ?? []).toEqual([]);
    const sources = (JSON.parse(readFileSync(join(project, 'dist/aws/index.mjs.map'), 'utf8')) as { sources: string[] }).sources;
    expect(sources.filter((f) => /adapters\/[a-z]+\/(target|dev|testing)\/|src\/(cli|composition-root)\.ts|inversify/.test(f))).toEqual([]);
  });

  it('the built gcp folder serves a function with the command the build printed, as printed', async () => {
    const { printed, body } = await gcpServed();
    expect(printed).toBe('cd served/gcp && npm install && npx @google-cloud/functions-framework --target <function>');
    expect(body).toMatchObject({ hello: 'ada' });
  });

  it('faasport dev serves HTTP, dead-letters a poison message, delivers topics, runs schedules and events, reloads an edit; a second dev on its port is one line', async () => {
    const dev = start(bin, ['dev', 'app.ts', '--port', '0', '--no-schedules']);
    const url = await until('the dev banner', () => /listening on (http:\/\/\S+)/.exec(dev.out.stdout)?.[1]);
    const post = (path: string, body: unknown) =>
      fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // Act
    expect(await (await fetch(`${url}/hello/ada`)).json()).toMatchObject({ hello: 'ada' });
    expect((await post('/orders', { id: 'o1', qty: 1 })).status).toBe(202);
    expect((await post('/orders', { id: 'poison', qty: 0 })).status).toBe(202);
    expect((await post('/_faasport/topics/shipped/messages', { id: 'direct' })).status).toBe(202);
    expect(await (await post('/_faasport/schedules/nightly/run', {})).json()).toEqual({ ok: true });
    expect(
      await (
        await post('/_faasport/events', { specversion: '1.0', id: 'e1', source: '/bucket', type: 'com.example.object.created', data: { key: 'a' } })
      ).json(),
    ).toEqual({ delivered: ['uploaded'] });
    // Assess
    const dead = await until('the poison order in the dead-letter queue', async () => {
      const list = (await (await fetch(`${url}/_faasport/queues/orders/dead-letter`)).json()) as { attempts: number; message: { body: unknown } }[];
      return list.length > 0 ? list : undefined;
    });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ attempts: 5, message: { body: { id: 'poison', qty: 0 } } });
    await until('the shipped notifications', () => (/"shipped"[\s\S]*"o1"/.test(dev.out.stdout) && dev.out.stdout.includes('direct') ? true : undefined));
    expect(dev.out.stdout).toMatch(/nightly/);
    expect(dev.out.stdout).toMatch(/uploaded/);
    // An edit reloads the app through the installed package; the dead letter stays, and a stack names app.ts.
    const source = readFileSync(join(project, 'app.ts'), 'utf8');
    writeFileSync(
      join(project, 'app.ts'),
      `${source}\napp.http('edited', { method: 'GET', route: '/edited' }, () => {\n  throw new Error('thrown by the edit');\n});\n`,
    );
    const edited = await until('the edited route', async () => {
      const res = await fetch(`${url}/edited`);
      return res.status === 500 ? ((await res.json()) as { error: string; stack: string[] }) : undefined;
    });
    writeFileSync(join(project, 'app.ts'), source);
    expect(edited.error).toBe('thrown by the edit');
    expect(edited.stack[1]).toContain(`${join(project, 'app.ts')}:${source.split('\n').length + 2}:`);
    expect(dev.out.stdout).toMatch(/faasport dev: reloaded app \(\d+ functions\) in \d+ ms; added edited/);
    expect(((await (await fetch(`${url}/_faasport/queues/orders/dead-letter`)).json()) as unknown[]).length).toBe(1);
    // The dashboard's static files ship in the package and are served from it
    expect(dev.out.stdout).toContain(`dashboard: ${url}/_faasport/`);
    const page = await fetch(`${url}/_faasport/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/_faasport/ui/app.js');
    for (const file of ['app.js', 'api.js', 'dom.js', 'trace.js', 'style.css']) expect((await fetch(`${url}/_faasport/ui/${file}`)).status, file).toBe(200);
    const port = new URL(url).port;
    const second = await faasport(['dev', 'app.ts', '--port', port]);
    expect(second.code).toBe(1);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
    stop(dev.child);
    await dev.exited;
  });

  it('conformance runs the adapters whose packages are installed; the others are "not run: install …", with no FAIL lines', async () => {
    const report = join(work, 'report-missing');
    const ran = await conformanceRun();
    expect(ran.code, ran.stdout.slice(-2000)).toBe(0);
    expect(ran.stdout.split('\n')[2]).toMatch(/^test\s+local\s+gcp/);
    expect(ran.stdout).not.toMatch(/\bfail\b/);
    // The handler failures the cases provoke (the Functions Framework logs each) are in a file, not on the terminal.
    expect(ran.stderr).not.toMatch(/Error/);
    expect(ran.stdout).toMatch(/platform-output\.log/);
    const missing = await faasport(['conformance', '--adapter', 'aws', '--adapter', 'azure', '--out', report]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(
      'aws was not run: install @aws-sdk/client-sqs @aws-sdk/client-sns fauxqs (npm install --save-dev @aws-sdk/client-sqs @aws-sdk/client-sns fauxqs)',
    );
    expect(missing.stdout).toContain('azure was not run: install @azure/storage-queue azurite (npm install --save-dev @azure/storage-queue azurite)');
    expect(missing.stdout).not.toMatch(/\bfail\b|expected failure/);
    expect(missing.stderr).toBe('');
  });

  it('faasport init writes a project that passes its own test and typechecks, also with a handler file per cloud', async () => {
    const init = await faasport(['init', 'starter']);
    expect(init.code, init.stderr).toBe(0);
    // What the README's "hand-written handler file" says to write, without the AWS SDK installed.
    writeFileSync(
      join(project, 'starter', 'handlers.ts'),
      [
        "import { toLambda } from 'faasport/aws';",
        "import { registerAzure } from 'faasport/azure';",
        "import { registerGcp } from 'faasport/gcp';",
        "import { app } from './app.js';",
        'export const lambda = toLambda(app);',
        'export const register = { azure: () => registerAzure(app), gcp: () => registerGcp(app) };',
      ].join('\n') + '\n',
    );
    // The starter sits inside the project, so its imports resolve to the installed tarball.
    const tested = await run('npm', ['test'], { cwd: join(project, 'starter'), env: npmEnv, timeoutMs: 120_000 });
    expect(tested.code, tested.stdout + tested.stderr).toBe(0);
    // Node 20/22 print TAP ("# pass 2"), Node 24 its spec reporter ("ℹ pass 2"), coloured when CI forces colour.
    expect(tested.stdout.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/^(?:#|ℹ) pass 2$/m);
    // The repository's compiler; the types it checks (faasport's, Node's) come from the project.
    const typed = await run(join(repo, 'node_modules', '.bin', 'tsc'), ['-p', join(project, 'starter')], { timeoutMs: 120_000 });
    expect(typed.code, typed.stdout).toBe(0);
  });
});
