import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { clientAddress, compileTrustProxy, createApp, type App } from '../../src/index.js';
import { createLocalRuntime, serve, type RunningServer } from '../../adapters/local/index.js';
import type { ConformanceDriver } from '../harness.js';
import { HARNESSES } from './harnesses.js';

/**
 * The other half of the spoof corpus: once a trusted proxy is configured, the address it
 * appended to X-Forwarded-For is believed, and still nothing the client wrote before it.
 */
function whoamiApp(): App {
  const app = createApp('proxied');
  app.http('whoami', { method: 'GET', route: '/whoami', public: true }, (req) => {
    const url = new URL(req.url);
    return Response.json({ clientIp: clientAddress(req) ?? null, host: url.host, protocol: url.protocol });
  });
  return app;
}

const CLIENT = '203.0.113.7';
const SPOOFED = '6.6.6.6';

describe('local runtime behind a trusted proxy', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const start = async (trust: string): Promise<string> => {
    const runtime = createLocalRuntime(whoamiApp(), { devApi: false });
    server = await serve((r) => runtime.fetch(r), { maxBodyBytes: 1024, trustProxy: compileTrustProxy(trust, 'test')! });
    return server.url;
  };
  const ask = async (base: string, headers: Record<string, string>) =>
    (await (await fetch(`${base}/whoami`, { headers })).json()) as { clientIp: string; host: string; protocol: string };

  it('believes X-Forwarded-For, -Host and -Proto when the peer is a trusted proxy, and walks past the client-written entries', async () => {
    const base = await start('loopback');
    const seen = await ask(base, {
      'x-forwarded-for': `${SPOOFED}, ${CLIENT}, 127.0.0.9`,
      'x-forwarded-host': 'evil.test, shop.example.com',
      'x-forwarded-proto': 'https',
    });
    expect(seen).toEqual({ clientIp: CLIENT, host: 'shop.example.com', protocol: 'https:' });
  });

  it('still ignores them when the peer is not one of the trusted proxies', async () => {
    const base = await start('10.0.0.0/8');
    const seen = await ask(base, { 'x-forwarded-for': CLIENT, 'x-forwarded-host': 'shop.example.com', 'x-forwarded-proto': 'https' });
    expect(seen).toEqual({ clientIp: '127.0.0.1', host: new URL(base).host, protocol: 'http:' });
  });

  it('refuses a forwarded host that is not a plain host[:port]', async () => {
    const base = await start('1');
    const seen = await ask(base, { 'x-forwarded-host': 'a.test/evil?x=' });
    expect(seen.host).toBe(new URL(base).host);
  });
});

describe.each(HARNESSES.filter((h) => h.name === 'gcp' || h.name === 'azure'))('$name with FAASPORT_TRUST_PROXY=1', ({ load }) => {
  let driver: ConformanceDriver | undefined;
  afterAll(async () => {
    await driver?.stop();
  }, 60_000);

  it('takes the address the platform front end appended, never the entries before it', async () => {
    const saved = process.env.FAASPORT_TRUST_PROXY;
    process.env.FAASPORT_TRUST_PROXY = '1';
    try {
      driver = await (await load()).start(whoamiApp(), { production: true });
    } finally {
      if (saved === undefined) delete process.env.FAASPORT_TRUST_PROXY;
      else process.env.FAASPORT_TRUST_PROXY = saved;
    }
    const ask = async (xff: string) =>
      ((await (await driver!.fetch(new Request('http://platform.test/whoami', { headers: { 'x-forwarded-for': xff } }))).json()) as { clientIp: string | null })
        .clientIp;
    expect(await ask(`${SPOOFED}, ${CLIENT}`)).toBe(CLIENT);
    expect(await ask(`${CLIENT}:52311`)).toBe(CLIENT); // App Service writes ip:port
    expect(await ask(`${SPOOFED}, [2001:db8::7]:443`)).toBe('2001:db8::7');
    expect(await ask(`${SPOOFED}, garbage`)).toBeNull();
  }, 120_000);
});

describe('faasport dev --trust-proxy', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'faasport-proxy-'));
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('wires the flag through to the server and says so at start', async () => {
    const appFile = join(dir, 'app.ts');
    writeFileSync(
      appFile,
      `import { clientAddress, createApp } from ${JSON.stringify(join(root, 'src/index.ts'))};\n` +
        `export const app = createApp('proxied');\n` +
        `app.http('whoami', { method: 'GET', route: '/whoami' }, (req) => Response.json({ ip: clientAddress(req) ?? null }));\n`,
    );
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'dev', appFile, '--port', '0', '--trust-proxy', 'loopback'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`faasport dev did not start:\n${output.join('')}`)), 30_000);
      child!.stdout!.on('data', (chunk: Buffer) => {
        output.push(chunk.toString());
        const all = output.join('');
        const m = /listening on (http:\/\/\S+)/.exec(all);
        if (m && all.includes('trusted proxies: loopback')) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child!.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
      child!.once('exit', (code) => reject(new Error(`faasport dev exited with ${code}:\n${output.join('')}`)));
    });
    const res = await fetch(`${base}/whoami`, { headers: { 'x-forwarded-for': `${SPOOFED}, ${CLIENT}` } });
    expect(await res.json()).toEqual({ ip: CLIENT });
  }, 40_000);
});
