import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVE_DEFAULTS } from '../adapters/local/node-http.js';
import { main } from './cli.js';

function io(cwd = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { cwd, env: {}, output: { line: (t: string) => out.push(t), error: (t: string) => err.push(t) } } };
}

describe('faasport CLI', () => {
  it('prints usage for --help and exits 0', async () => {
    const c = io();
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/faasport dev <app.ts>/);
  });

  it('documents the dev server guard and its caps, with their defaults, in the usage', async () => {
    const c = io();
    await main(['--help'], c.io);
    const usage = c.out.join('\n');
    const d = SERVE_DEFAULTS;
    for (const flag of ['--lambda-control-api', `--max-connections ${d.maxConnections}`, `--max-inflight-body-bytes ${d.maxInFlightBodyBytes}`, `--headers-timeout ${d.headersTimeoutMs}`, `--request-timeout ${d.requestTimeoutMs}`]) {
      expect(usage).toContain(flag);
    }
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
    [['dev', 'examples/shop/app.ts', '--headers-timeout', '20000', '--request-timeout', '10000'], /--headers-timeout \(20000 ms\) must not exceed --request-timeout \(10000 ms\)/],
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
