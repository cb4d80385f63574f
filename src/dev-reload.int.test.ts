// `faasport dev` as a person runs it: a real child process on port 0, an app in a folder of
// its own, files edited while the server runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'faasport-reload-'));
const appFile = join(dir, 'app.ts');
const helperFile = join(dir, 'helper.ts');
const handledLog = join(dir, 'handled.log');
const core = JSON.stringify(join(repo, 'src/index.ts'));

/**
 * The app at one version: GET /answer says the version and the helper's word; "jobs" is
 * consumed from v2 on (v1 has no consumer, so its messages wait), "later" by every version,
 * "flaky" fails before v2;
 * "poison" dead-letters at once and is gone from v3; every handled message is a line in
 * handled.log.
 */
function appSource(version: string, { jobsConsumer = true, poison = true } = {}): string {
  return `import { appendFileSync } from 'node:fs';
import { createApp } from ${core};
import { word } from './helper.js';

export const app = createApp('reload');
const jobs = app.queue<{ n: number }>('jobs', { maxAttempts: 3 });
app.queue<{ n: number }>('later').consume('soon', (msg) => appendFileSync(${JSON.stringify(handledLog)}, ${JSON.stringify(version)} + ' later ' + msg.body.n + '\\n'));
app.http('answer', { method: 'GET', route: '/answer' }, () => new Response(${JSON.stringify(version)} + ' ' + word));
app.http('boom', { method: 'GET', route: '/boom' }, () => {
  throw new Error('boom from ${version}');
});
// Fails until v2: the retry after v1's failure runs the new code (10 attempts, backoff up to 1 s).
app.queue<{ n: number }>('flaky', { maxAttempts: 10, backoff: { initialDelayMs: 1000, maxDelayMs: 1000 } }).consume('retry', (msg) => {
  ${jobsConsumer ? '' : "throw new Error('not yet');"}
  appendFileSync(${JSON.stringify(handledLog)}, ${JSON.stringify(version)} + ' flaky ' + msg.body.n + (msg.attempt > 1 ? ' retried' : '') + '\\n');
});
${jobsConsumer ? `jobs.consume('work', (msg) => appendFileSync(${JSON.stringify(handledLog)}, ${JSON.stringify(version)} + ' ' + msg.body.n + '\\n'));` : ''}
${poison ? `app.queue('poison', { maxAttempts: 1, deadLetter: true }).consume('bad', () => { throw new Error('poison'); });` : ''}
`;
}

const helperSource = (word: string): string => `export const word: string = ${JSON.stringify(word)};\n`;

let child: ChildProcess;
let url = '';
let stdout = '';
let stderr = '';
// CI forces colour: look at lines without their escapes.
const plain = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '');

/** Polls until `probe` returns a value, at most `timeoutMs`. */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`no ${what} within ${timeoutMs} ms; stdout: ${plain(stdout).slice(-1500)} stderr: ${plain(stderr).slice(-1500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const get = async (path: string): Promise<string> => (await fetch(`${url}${path}`)).text();
const reloads = (): number =>
  plain(stdout)
    .split('\n')
    .filter((l) => l.startsWith('faasport dev: reloaded app')).length;
const answerIs = (text: string) => until(`GET /answer = "${text}"`, async () => ((await get('/answer')) === text ? true : undefined));

beforeAll(async () => {
  writeFileSync(helperFile, helperSource('one'));
  writeFileSync(appFile, appSource('v1', { jobsConsumer: false }));
  child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/cli.ts'), 'dev', appFile, '--port', '0', '--no-schedules'], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  url = await until(
    'listening line',
    () =>
      /listening on (http:\/\/\S+)/.exec(plain(stdout))?.[1] ??
      (child.exitCode !== null ? Promise.reject(new Error(`faasport dev exited: ${stderr}`)) : undefined),
    30_000,
  );
  await until('watching line', () => (plain(stdout).includes('watching 2 file(s)') ? true : undefined));
});

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('faasport dev reloads the app on an edit', () => {
  it('a waiting (no consumer), a delayed and a retrying message survive the reload and reach the new code; a dead letter stays listed when its queue is dropped', async () => {
    expect(await get('/answer')).toBe('v1 one');
    const send = (queue: string, body: unknown, query = '') =>
      fetch(`${url}/_faasport/queues/${queue}/messages${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await send('jobs', { n: 1 })).status).toBe(202);
    // Consumed by v1 too, but not due before the reload.
    expect((await send('later', { n: 2 }, '?delaySeconds=3')).status).toBe(202);
    expect((await send('flaky', { n: 3 })).status).toBe(202);
    await until('the first, failed attempt of the flaky message', async () => {
      const stats = JSON.parse(await get('/_faasport/queues')) as { queue: string; delayed: number }[];
      return stats.find((q) => q.queue === 'flaky')?.delayed === 1 ? true : undefined;
    });
    expect((await send('poison', 'p')).status).toBe(202);
    await until('a dead letter', async () => ((JSON.parse(await get('/_faasport/queues/poison/dead-letter')) as unknown[]).length === 1 ? true : undefined));
    const before = reloads();

    // v2 consumes "jobs"; v3 (below) drops the poison queue.
    writeFileSync(appFile, appSource('v2'));
    await answerIs('v2 one');
    expect(reloads()).toBeGreaterThan(before);
    expect(plain(stdout)).toMatch(/faasport dev: reloaded app \(6 functions\) in \d+ ms; added work/);

    const handled = await until('the three messages handled', () => {
      const lines = existsSync(handledLog) ? readFileSync(handledLog, 'utf8').trim().split('\n').sort() : [];
      return lines.length === 3 ? lines : undefined;
    });
    expect(handled).toEqual(['v2 1', 'v2 flaky 3 retried', 'v2 later 2']);

    writeFileSync(appFile, appSource('v3', { poison: false }));
    await answerIs('v3 one');
    expect(plain(stdout)).toMatch(/removed bad; the messages of a removed consumer wait in its queue/);
    const dl = JSON.parse(await get('/_faasport/queues/poison/dead-letter')) as { message: { body: unknown }; lastError: { message: string } }[];
    expect(dl.map((e) => [e.message.body, e.lastError.message])).toEqual([['p', 'poison']]);
  });

  it('an edit of an imported file reloads too', async () => {
    writeFileSync(helperFile, helperSource('two'));
    await answerIs('v3 two');
  });

  it('a syntax error logs one line (code, file, line) and the last good app keeps serving; the fix reloads', async () => {
    const errorsBefore = plain(stderr)
      .split('\n')
      .filter((l) => l.includes('reload failed')).length;
    writeFileSync(appFile, appSource('v4', { poison: false }).replace("from './helper.js';", "from './helper.js'\nconst broken = ;"));
    const line = await until(
      'the reload-failed line',
      () =>
        plain(stderr)
          .split('\n')
          .filter((l) => l.includes('reload failed'))[errorsBefore],
    );
    expect(line).toMatch(/^faasport dev: reload failed, still serving the last good app: load app: .*app\.ts:4:\d+: Unexpected ";" \[CONFIG_INVALID\]$/);
    expect(await get('/answer')).toBe('v3 two');

    writeFileSync(appFile, appSource('v5', { poison: false }));
    await answerIs('v5 two');
  });

  it("stacks point at the app's own file and line, not at the bundle", async () => {
    const body = JSON.parse(await get('/boom')) as { error: string; stack: string[] };
    expect(body.error).toBe('boom from v5');
    // The throw is on line 10 of app.ts.
    expect(body.stack[1]).toContain(`${appFile}:10:`);
  });
});

describe('faasport dev --no-watch', () => {
  it('loads the app once: no watching line, and an edit changes nothing', async () => {
    const still = mkdtempSync(join(tmpdir(), 'faasport-nowatch-'));
    const file = join(still, 'app.ts');
    const source = (answer: string): string =>
      `import { createApp } from ${core};\nexport const app = createApp('still');\napp.http('answer', { method: 'GET', route: '/answer' }, () => new Response(${JSON.stringify(answer)}));\n`;
    writeFileSync(file, source('first'));
    let out = '';
    const proc = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/cli.ts'), 'dev', file, '--port', '0', '--no-schedules', '--no-watch'], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const deadline = Date.now() + 30_000;
      let base: string | undefined;
      while (!(base = /listening on (http:\/\/\S+)/.exec(plain(out))?.[1])) {
        if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`faasport dev --no-watch did not start: ${plain(out)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await (await fetch(`${base}/answer`)).text()).toBe('first');
      expect(plain(out)).not.toMatch(/watching \d+ file/);
      writeFileSync(file, source('second'));
      // The watcher reacts within its 50 ms debounce; twenty times that passes with nothing reloaded.
      await new Promise((r) => setTimeout(r, 1000));
      expect(await (await fetch(`${base}/answer`)).text()).toBe('first');
      expect(plain(out)).not.toMatch(/reloaded app/);
    } finally {
      proc.kill('SIGKILL');
      rmSync(still, { recursive: true, force: true });
    }
  });
});
