import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVE_DEFAULTS } from 'faasport/local';
import { main } from './cli.js';
import { COMMANDS } from './cli-options.js';
import { OUT_MANIFEST } from './out-dir.js';

function io(cwd = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { cwd, env: {}, output: { line: (t: string) => out.push(t), error: (t: string) => err.push(t) } } };
}

describe('faasport CLI', () => {
  it('prints usage for --help and exits 0', async () => {
    const c = io();
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/Usage: faasport <command>/);
    for (const command of Object.keys(COMMANDS)) expect(c.out.join('\n')).toContain(`  ${command} `);
  });

  it.each(Object.keys(COMMANDS))('"faasport %s --help" lists every option of the command and exits 0', async (command) => {
    const c = io();
    expect(await main([command, '--help'], c.io)).toBe(0);
    const help = c.out.join('\n');
    expect(help).toMatch(new RegExp(`^Usage: faasport ${command}`));
    for (const option of [...Object.keys(COMMANDS[command]!.options), 'debug', 'help']) expect(help).toContain(`--${option}`);
  });

  it.each(['aws', 'azure', 'gcp'])('deploy --help names every option the %s deploy reads', async (target) => {
    // Read from the deploy module's own parseArgs table, so an option added there and not here fails.
    const source = readFileSync(new URL(`../adapters/${target}/target/deploy.ts`, import.meta.url), 'utf8');
    const options = [...source.matchAll(/['"]?([a-z][a-z-]*)['"]?: \{ type: '(?:string|boolean)'/g)].map((m) => m[1]!);
    expect(options.length).toBeGreaterThan(2);
    const c = io();
    await main(['deploy', '--help'], c.io);
    const section = c.out.join('\n').split(`Options for --target ${target}:`)[1]!.split('\n\n')[0]!;
    for (const option of options) expect(section).toContain(`--${option}`);
  });

  it('suggests the option meant by a typo, with exit 2', async () => {
    const c = io();
    expect(await main(['dev', 'examples/shop/app.ts', '--prot', '3001'], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/unknown option --prot \(did you mean --port\?\); run "faasport dev --help"/);
    const d = io();
    expect(await main(['build', 'x.ts', '--taget', 'aws'], d.io)).toBe(2);
    expect(d.err.join('\n')).toMatch(/did you mean --target\?/);
    const missingValue = io();
    expect(await main(['dev', 'examples/shop/app.ts', '--port'], missingValue.io)).toBe(2);
    expect(missingValue.err.join('\n')).toMatch(/--port.*argument missing.*run "faasport dev --help"/);
    const e = io();
    expect(await main(['biuld'], e.io)).toBe(2);
    expect(e.err.join('\n')).toMatch(/unknown command "biuld" \(did you mean "build"\?\)/);
  });

  it('a port in use is one line with the fix, exit 1, no stack', async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const c = io();
      expect(await main(['dev', 'examples/guestbook/app.ts', '--port', String(port)], c.io)).toBe(1);
      expect(c.err).toHaveLength(1);
      expect(c.err[0]).toMatch(new RegExp(`faasport dev: port ${port} on 127\\.0\\.0\\.1 is in use .*--port 0 for any free port \\[CONFIG_INVALID\\]$`));
      expect(c.err[0]).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  it.each([
    [true, []],
    [true, ['--json']],
    [false, []],
  ])(
    'dev on a terminal (%s, %j) logs readable lines, JSON otherwise; the banner lists every dev-API route',
    async (tty, flags) => {
      const c = io();
      const running = main(['dev', 'examples/guestbook/app.ts', '--port', '0', '--no-schedules', ...flags], { ...c.io, tty, env: { NO_COLOR: '1' } });
      try {
        const url = await new Promise<string>((done, fail) => {
          const end = Date.now() + 30_000;
          const poll = (): void => {
            const m = /listening on (http:\/\/\S+)/.exec(c.out.join('\n'));
            if (m) return done(m[1]!);
            if (Date.now() > end) return fail(new Error(`no banner: ${c.err.join('\n')}`));
            setTimeout(poll, 50);
          };
          poll();
        });
        for (const route of [
          'GET  /_faasport/queues/<queue>/dead-letter',
          'POST /_faasport/queues/<queue>/messages',
          'POST /_faasport/topics/<topic>/messages',
          'POST /_faasport/events',
        ]) {
          expect(c.out.join('\n')).toContain(route);
        }
        const res = await fetch(`${url}/entries`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'ada', message: 'hi' }),
        });
        expect(res.status).toBe(202);
        const readable = c.out.find((l) => / INFO  sign  entry queued  id=/.test(l));
        if (tty && flags.length === 0) expect(readable).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  sign  entry queued  id=\S+$/);
        else expect(readable).toBeUndefined();
      } finally {
        process.emit('SIGTERM');
        expect(await running).toBe(0);
      }
    },
    60_000,
  );

  it('a build that fails leaves the folder as it was (new, or holding the last good build); the next build after the fix takes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faasport-cli-'));
    writeFileSync(
      join(dir, 'app.ts'),
      "import { createApp } from 'faasport';\nexport const app = createApp('mine');\napp.http('hi', { route: '/hi' }, () => new Response('hi'));\n",
    );
    // A target whose build writes its bundle, then fails on a missing package (as the container's does) unless FIX exists.
    writeFileSync(
      join(dir, 'target.mjs'),
      [
        "import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';",
        "import { join } from 'node:path';",
        'const capabilities = { http: true, queues: false, topics: false, schedules: false, events: false, fifo: false, maxDelaySeconds: 0, batchSend: false, maxMessageBytes: 1024, maxAttempts: { min: 1, max: 1 }, maxHttpBodyBytes: 1024, maxTimeoutMs: 60000 };',
        "export const target = { adapter: { name: 'half', capabilities }, async build({ outDir }) {",
        "  const fix = join(outDir, '..', 'FIX');",
        "  writeFileSync(join(outDir, 'server.mjs'), existsSync(fix) ? readFileSync(fix, 'utf8') : 'half-written'); mkdirSync(join(outDir, 'assets'));",
        "  if (!existsSync(fix)) throw new Error('install the SDK first');",
        "  return { outDir, files: ['server.mjs', 'assets'] };",
        '} };',
      ].join('\n'),
    );
    const build = async (expected: number) => {
      const c = io(dir);
      // 70: an error that is not a FaasportError (the target's own) is reported as internal.
      expect(await main(['build', 'app.ts', '--target', './target.mjs', '--out', 'out/half'], c.io), c.err.join('\n')).toBe(expected);
      return c.err.join('\n');
    };
    expect(await build(70)).toContain('install the SDK first');
    expect(existsSync(join(dir, 'out/half'))).toBe(false);
    writeFileSync(join(dir, 'out/FIX'), 'build 1');
    await build(0);
    mkdirSync(join(dir, 'out/half/node_modules'));
    // The SDK goes away again: the failed build leaves build 1 (and npm's node_modules) in place.
    rmSync(join(dir, 'out/FIX'));
    expect(await build(70)).toContain('install the SDK first');
    expect(readdirSync(join(dir, 'out/half')).sort()).toEqual([OUT_MANIFEST, 'assets', 'node_modules', 'server.mjs']);
    expect(readFileSync(join(dir, 'out/half/server.mjs'), 'utf8')).toBe('build 1');
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['half']);
    writeFileSync(join(dir, 'out/FIX'), 'build 2');
    await build(0);
    expect(readFileSync(join(dir, 'out/half/server.mjs'), 'utf8')).toBe('build 2');
    expect(readdirSync(join(dir, 'out/half')).sort()).toEqual([OUT_MANIFEST, 'assets', 'node_modules', 'server.mjs']);
  });

  it("--out refuses a folder with files faasport did not write, and the user's package.json is untouched", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faasport-cli-'));
    const pkg = '{"name":"mine","dependencies":{"left-pad":"1.0.0"}}\n';
    writeFileSync(join(dir, 'package.json'), pkg);
    writeFileSync(
      join(dir, 'app.ts'),
      "import { createApp } from 'faasport';\nexport const app = createApp('mine');\napp.http('hi', { route: '/hi' }, () => new Response('hi'));\n",
    );
    const c = io(dir);
    expect(await main(['build', 'app.ts', '--target', 'aws', '--out', '.'], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/^faasport build: --out .* holds files faasport did not write \(app\.ts, package\.json\)/);
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(pkg);
    // A folder faasport wrote is rebuilt in place, also after "npm install" ran in it.
    const d = io(dir);
    expect(await main(['build', 'app.ts', '--target', 'aws', '--out', 'out/aws'], d.io)).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'out/aws', OUT_MANIFEST), 'utf8')).files).toContain('index.mjs');
    mkdirSync(join(dir, 'out/aws/node_modules'));
    expect(await main(['build', 'app.ts', '--target', 'aws', '--out', 'out/aws'], io(dir).io)).toBe(0);
    writeFileSync(join(dir, 'out/aws/notes.txt'), 'mine');
    const e = io(dir);
    expect(await main(['build', 'app.ts', '--target', 'aws', '--out', 'out/aws'], e.io)).toBe(1);
    expect(e.err.join('\n')).toMatch(/holds files faasport did not write \(notes\.txt\)/);
  }, 60_000);

  it('init scaffolds a project and refuses to write over one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faasport-init-'));
    const c = io(dir);
    expect(await main(['init', 'starter'], c.io)).toBe(0);
    for (const f of ['package.json', 'tsconfig.json', 'app.ts', 'app.test.ts', '.gitignore']) expect(existsSync(join(dir, 'starter', f))).toBe(true);
    expect(c.out.join('\n')).toMatch(/next: cd starter && npm install && npm test/);
    const d = io(dir);
    expect(await main(['init', 'starter'], d.io)).toBe(1);
    expect(d.err.join('\n')).toMatch(/already has package\.json/);
  });

  it('an unexpected error is one line without a stack, unless --debug', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faasport-cli-'));
    writeFileSync(
      join(dir, 'adapter.ts'),
      "export const adapter = { name: 'boom', capabilities: {} };\nexport function build() { throw new TypeError('kaboom'); }\n",
    );
    writeFileSync(join(dir, 'app.ts'), "import { createApp } from 'faasport';\nexport const app = createApp('x');\n");
    const c = io(dir);
    expect(await main(['build', 'app.ts', '--target', './adapter.ts', '--out', 'o'], c.io)).toBe(70);
    expect(c.err.join('\n')).toBe('faasport build: unexpected error: kaboom (run again with --debug for the stack)');
    const d = io(dir);
    expect(await main(['build', 'app.ts', '--target', './adapter.ts', '--out', 'o2', '--debug'], d.io)).toBe(70);
    expect(d.err.join('\n')).toMatch(/kaboom\n\s*TypeError: kaboom\n\s+at /);
  });

  it('documents the dev server guard and its caps, with their defaults, in dev --help', async () => {
    const c = io();
    expect(await main(['dev', '--help'], c.io)).toBe(0);
    const help = c.out.join('\n');
    const d = SERVE_DEFAULTS;
    const line = (flag: string) => help.split('\n').find((l) => l.trimStart().startsWith(flag)) ?? '';
    expect(line('--lambda-control-api')).toMatch(/token/);
    expect(line('--max-connections')).toContain(`default: ${d.maxConnections})`);
    expect(line('--max-inflight-body-bytes')).toContain(`default: ${d.maxInFlightBodyBytes},`);
    expect(line('--headers-timeout')).toContain(`default: ${d.headersTimeoutMs})`);
    expect(line('--request-timeout')).toContain(`default: ${d.requestTimeoutMs})`);
  });

  it('refuses an unknown command with exit 2 and the usage', async () => {
    const c = io();
    expect(await main(['serve'], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/unknown command "serve"/);
  });

  it.each([
    [['build', 'examples/shop/app.ts'], /missing --target/],
    [['build', 'examples/shop/app.ts', '--target', 'nope'], /target "nope" is not built in/],
    [['build', 'missing.ts', '--target', 'aws'], /missing\.ts does not exist/],
    [['dev'], /missing the app file/],
    [['dev', 'examples/shop/app.ts', '--port', 'abc'], /--port must be an integer/],
    [['dev', 'examples/shop/app.ts', '--persist-max-mb', '5'], /--persist-max-mb caps the --persist store; add --persist <dir>/],
    [['dev', 'examples/shop/app.ts', '--persist', '.x', '--persist-max-mb', '0'], /--persist-max-mb must be an integer from 1/],
    [['dev', 'examples/shop/app.ts', '--trust-proxy', '10.0.0.0/33'], /faasport dev --trust-proxy: "10\.0\.0\.0\/33" is not an IP address, a CIDR range/],
    [['dev', 'examples/shop/app.ts', '--trust-proxy', 'yes'], /faasport dev --trust-proxy: "yes" is not an IP address/],
    [
      ['dev', 'examples/shop/app.ts', '--headers-timeout', '20000', '--request-timeout', '10000'],
      /--headers-timeout \(20000 ms\) must not exceed --request-timeout \(10000 ms\)/,
    ],
    [['dev', 'examples/shop/app.ts', '--max-connections', '0'], /--max-connections must be an integer from 1/],
    [['dev', 'examples/shop/app.ts', '--max-inflight-body-bytes', 'lots'], /--max-inflight-body-bytes must be an integer/],
    [['deploy', 'examples/shop/app.ts'], /missing --target/],
  ])('%j fails with a typed, actionable error', async (args, message) => {
    const c = io();
    expect(await main(args, c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(message);
    expect(c.err.join('\n')).toMatch(/\[[A-Z_]+\]$/);
  });

  it('names what to export when a module has no app', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faasport-cli-'));
    writeFileSync(join(dir, 'empty.ts'), 'export const x = 1;\n');
    const c = io(dir);
    expect(await main(['build', 'empty.ts', '--target', 'local'], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/exports no app; add "export const app = createApp\('name'\)"/);
  });

  it('refuses to build for a target without build()', async () => {
    const c = io();
    expect(await main(['build', 'examples/shop/app.ts', '--target', 'local'], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/has no build\(\)/);
  });

  it('refuses an adapter module that exports no adapter', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faasport-cli-'));
    writeFileSync(join(dir, 'bad-adapter.ts'), 'export const notAnAdapter = 1;\n');
    const c = io(dir);
    expect(await main(['conformance', '--adapter', './bad-adapter.ts', '--only', '--out', join(dir, 'report')], c.io)).toBe(1);
    expect(c.out.join('\n')).toMatch(/must export "adapter"/);
  });
});
