// The README's first screen says `npm run dev` serves examples/shop with /hello/ada. The
// script is run as written (plus --port 0: tests use no fixed port).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));

it('npm run dev serves the shop example and its /hello/ada', async () => {
  const readme = (await import('node:fs')).readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  expect(readme).toContain('npm ci && npm run dev   # local runtime on examples/shop: http://127.0.0.1:3000/hello/ada');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_|^VITEST/i.test(k)));
  const child = spawn('npm', ['run', 'dev', '--', '--port', '0'], { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  try {
    const end = Date.now() + 60_000;
    let url: string | undefined;
    while (!url) {
      url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (!url && (Date.now() > end || child.exitCode !== null)) throw new Error(`npm run dev did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(out).toMatch(/app "shop" listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(await (await fetch(`${url}/hello/ada`)).json()).toEqual({ hello: 'ada' });
  } finally {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
  }
});
