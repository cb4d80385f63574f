import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { canaryEnvironment, createCanaries, findLeaks, type Canaries } from './canaries.js';
import { SECRET_ENV } from './secret-app.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const appFile = fileURLToPath(new URL('./secret-app.ts', import.meta.url));
const crashingAppFile = fileURLToPath(new URL('./secret-crash-app.ts', import.meta.url));
const canaries: Canaries = createCanaries();
const work = mkdtempSync(join(tmpdir(), 'faasport-secrets-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The environment a developer's shell holds when they run the CLI: full of secrets. */
const secretEnv = {
  ...process.env,
  ...canaryEnvironment(canaries),
  [SECRET_ENV]: canaries.env,
  DATABASE_URL: `postgres://app:${canaries.env}@db.internal/app`,
  AWS_SECRET_ACCESS_KEY: canaries.env,
  AZURE_CLIENT_SECRET: canaries.env,
  API_TOKEN: canaries.env,
};

function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): { child: ReturnType<typeof spawn>; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/cli.ts'), ...args], {
    cwd: repo,
    env: { ...secretEnv, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

/** The URL `faasport dev` prints once it listens; rejects if it exits first. */
function listening(run: ReturnType<typeof cli>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /listening on (http:\/\/\S+)/.exec(run.output());
      if (m) {
        clearInterval(timer);
        resolve(m[1]!);
      }
    }, 20);
    void run.exited.then(() => {
      clearInterval(timer);
      reject(new Error(`faasport dev exited: ${run.output()}`));
    });
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the CLI keeps secrets out of what it writes and prints', () => {
  it("an app that fails to load with a secret in its error: the CLI's error output names the failure, not the secret", async () => {
    const run = cli(['build', crashingAppFile, '--target', 'aws', '--out', join(work, 'crash')]);
    expect(await run.exited).not.toBe(0);
    expect(findLeaks(canaries, 'build output', run.output())).toEqual([]);
    expect(run.output()).toContain('config check failed: upstream refused token [redacted]');
  }, 60_000);

  it.each(['aws', 'azure', 'gcp'])(
    'faasport build --target %s: no secret of the environment in any generated file',
    async (target) => {
      const out = join(work, target);
      const run = cli(['build', appFile, '--target', target, '--out', out]);
      expect(await run.exited, run.output()).toBe(0);
      const files = filesUnder(out);
      expect(files.length).toBeGreaterThan(0);
      const leaks = files.flatMap((f) => findLeaks(canaries, f.slice(out.length), readFileSync(f, 'latin1')));
      leaks.push(...findLeaks(canaries, 'build output', run.output()));
      expect(leaks).toEqual([]);
    },
    60_000,
  );

  it('faasport dev: no secret from the environment, the headers, the query or the body on stdout, stderr, answers or dead letters', async () => {
    const run = cli(['dev', appFile, '--port', '0', '--no-schedules']);
    try {
      const url = await listening(run);
      const headers = {
        authorization: `Bearer ${canaries.authorization}`,
        cookie: `session=${canaries.cookie}`,
        'x-functions-key': canaries['functions-key'],
        'content-type': 'application/json',
      };
      const code = `code=${encodeURIComponent(canaries['query-code'])}`;
      const answers: string[] = [];
      for (const [path, body] of [
        [`/login?${code}`, JSON.stringify({ user: 'ada', password: canaries.body })],
        [`/login?${code}`, `{"user":"ada","password":"${canaries.body}"`],
        [`/nope?${code}`, '{}'],
      ] as const) {
        const res = await fetch(url + path, { method: 'POST', headers, body });
        expect(res.status).toBeGreaterThanOrEqual(400);
        answers.push(`${res.status} ${[...res.headers].join('\n')}\n${await res.text()}`);
      }
      let dead: unknown[] = [];
      for (let i = 0; i < 100 && dead.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        dead = (await (await fetch(`${url}/_faasport/queues/jobs/dead-letter`)).json()) as unknown[];
      }
      expect(dead).toHaveLength(1);
      const leaks = [
        ...answers.flatMap((a, i) => findLeaks(canaries, `answer ${i}`, a)),
        ...findLeaks(canaries, 'dead letters', JSON.stringify(dead)),
        ...findLeaks(canaries, 'stdout and stderr', run.output()),
      ];
      expect(leaks).toEqual([]);
      // The secrets were there to leak, and what is not secret is still written.
      expect((dead[0] as { lastError: { message: string } }).lastError.message).toBe('audit store unavailable for ada (token [redacted])');
      expect(answers[0]).toContain('database rejected the connection with password [redacted]');
      expect(run.output()).toContain('database rejected the connection with password [redacted]');
      expect(run.output()).toContain('"password":"[redacted]"');
      expect(run.output()).toContain('"dsn":"[redacted]"');
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }, 60_000);

  it('faasport dev with NODE_ENV=production: a handler that throws answers 500 with no message and no stack', async () => {
    const run = cli(['dev', appFile, '--port', '0', '--no-schedules'], { NODE_ENV: 'production' });
    try {
      const url = await listening(run);
      const res = await fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'ada' }) });
      expect(res.status).toBe(500);
      const text = await res.text();
      const body = JSON.parse(text) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['error', 'invocationId']);
      expect(body.error).toBe('Internal Server Error');
      expect(text).not.toMatch(/database rejected|secret-app\.ts|\bat\s+\S+\s+\(|stack/);
      // The log line keeps the real error for the operator, with the secret in it redacted.
      expect(run.output()).toContain('database rejected the connection with password [redacted]');
      // The schedule throws a non-Error holding a secret: the dev API's answer and the log line summarise it.
      const tick = await fetch(`${url}/_faasport/schedules/nightly/run`, { method: 'POST' });
      const tickText = await tick.text();
      expect(tick.status).toBe(500);
      for (let i = 0; i < 100 && !/nightly export failed/.test(run.output()); i++) await new Promise((r) => setTimeout(r, 20));
      expect(run.output()).toContain('a non-Error object was thrown: {\\"reason\\":\\"nightly export failed\\",\\"key\\":\\"[redacted]\\"}');
      expect([...findLeaks(canaries, 'stdout and stderr', run.output()), ...findLeaks(canaries, 'schedule run answer', tickText)]).toEqual([]);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }, 60_000);
});
