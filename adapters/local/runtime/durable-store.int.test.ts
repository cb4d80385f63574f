import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, isFaasportError, type App, type LogRecord, type QueueMessage } from 'faasport';
import { openDurableStore } from './durable-store.js';
import { createLocalRuntime, type LocalRuntime } from './runtime.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = join(repo, 'node_modules/.bin/tsx');
const dirs: string[] = [];
const runtimes: LocalRuntime[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'faasport-durable-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const r of runtimes.splice(0)) r.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(app: App, persist: string, logs: LogRecord[] = []): LocalRuntime {
  const runtime = createLocalRuntime(app, { persist, logSink: (r) => logs.push(r), devApi: false });
  runtimes.push(runtime);
  return runtime;
}

function stop(runtime: LocalRuntime): void {
  runtime.stop();
  runtimes.splice(runtimes.indexOf(runtime), 1);
}

/** Runs an ES module of TypeScript in a child process (tsx). */
function runTs(code: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(tempDir(), 'script.mts');
  writeFileSync(file, code);
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [file], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('durable local queues (--persist)', () => {
  it('keeps accepted messages across a restart, with body, attributes, group and attempt', async () => {
    // Prepare: a first run accepts messages but has no consumer yet.
    const dir = tempDir();
    const first = createApp('shop');
    const q1 = first.queue<{ n: number }>('orders', { fifo: true });
    const r1 = start(first, dir);
    await q1.send({ n: 1 }, { groupId: 'a', attributes: { tenant: 't1' } });
    await q1.send({ n: 2 }, { groupId: 'a' });
    stop(r1);
    // Act: a second run of the app, now with a consumer.
    const second = createApp('shop');
    const q2 = second.queue<{ n: number }>('orders', { fifo: true });
    const seen: QueueMessage<{ n: number }>[] = [];
    q2.consume('fulfil', (msg) => void seen.push(msg));
    const r2 = start(second, dir);
    await r2.whenIdle(5_000);
    // Assess
    expect(seen.map((m) => ({ body: m.body, attempt: m.attempt, groupId: m.groupId, tenant: m.attributes.tenant }))).toEqual([
      { body: { n: 1 }, attempt: 1, groupId: 'a', tenant: 't1' },
      { body: { n: 2 }, attempt: 1, groupId: 'a', tenant: undefined },
    ]);
  });

  it('keeps dead letters, and the attempts a message used, across restarts', async () => {
    const dir = tempDir();
    const define = (attempts: number[]) => {
      const app = createApp('shop');
      const q = app.queue<{ item: string }>('orders', { maxAttempts: 3, backoff: { initialDelayMs: 1, maxDelayMs: 5 } });
      q.consume('fulfil', (msg) => {
        attempts.push(msg.attempt);
        throw new Error(`cannot fulfil ${msg.body.item}`);
      });
      return { app, q };
    };
    const attempts: number[] = [];
    const { app, q } = define(attempts);
    const r1 = start(app, dir);
    await q.send({ item: 'poison' });
    await r1.whenIdle(5_000);
    stop(r1);
    const again: number[] = [];
    const r2 = start(define(again).app, dir);
    await r2.whenIdle(1_000);
    expect(attempts).toEqual([1, 2, 3]);
    expect(again).toEqual([]);
    expect(r2.deadLetters('orders')).toEqual([expect.objectContaining({ attempts: 3, message: expect.objectContaining({ body: { item: 'poison' } }) })]);
  });

  it('refuses a second runtime on a folder in use, in this process and in another', async () => {
    const dir = tempDir();
    start(createApp('a'), dir);
    let caught: unknown;
    try {
      createLocalRuntime(createApp('b'), { persist: dir, logSink: () => {} });
    } catch (err) {
      caught = err;
    }
    expect(isFaasportError(caught) && caught.code).toBe('CONFIG_INVALID');
    expect((caught as Error).message).toContain('already runs a local runtime on this folder');

    const child = await runTs(
      `import { openDurableStore } from ${JSON.stringify(join(repo, 'adapters/local/runtime/durable-store.ts'))};
       try { openDurableStore(${JSON.stringify(dir)}); console.log('opened'); } catch (e) { console.log(e.code, e.message); }`,
    );
    expect(child.stdout).toContain('CONFIG_INVALID');
    expect(child.stdout).toContain(`process ${process.pid} is using this folder`);
  });

  it('lets the next process take over a folder whose owner died', async () => {
    const dir = tempDir();
    // The child opens the store and exits without closing it (as a killed process would).
    const child = await runTs(
      `import { openDurableStore } from ${JSON.stringify(join(repo, 'adapters/local/runtime/durable-store.ts'))};
       openDurableStore(${JSON.stringify(dir)}); process.exit(0);`,
    );
    expect(child.code).toBe(0);
    const store = openDurableStore(dir);
    store.close();
  });

  it('runs a ctx.once body once for 100 concurrent calls split over two processes sharing the file', async () => {
    const dir = tempDir();
    const effects = join(dir, 'effects.log');
    const script = `
      import { appendFileSync } from 'node:fs';
      import { once } from ${JSON.stringify(join(repo, 'src/index.ts'))};
      import { openDurableStore } from ${JSON.stringify(join(repo, 'adapters/local/runtime/durable-store.ts'))};
      import { openSqlite } from ${JSON.stringify(join(repo, 'adapters/local/runtime/sqlite-driver.ts'))};
      import { createDurableIdempotencyStore } from ${JSON.stringify(join(repo, 'adapters/local/runtime/durable-idempotency-store.ts'))};
      // Both processes share the file: the second one opens it directly (the folder lock is per runtime).
      const db = openSqlite(${JSON.stringify(join(dir, 'faasport.sqlite'))});
      db.exec('PRAGMA busy_timeout = 5000');
      db.prepare('PRAGMA journal_mode = WAL').get();
      const store = createDurableIdempotencyStore(db);
      const body = async () => { appendFileSync(${JSON.stringify(effects)}, process.pid + '\\n'); await new Promise((r) => setTimeout(r, 200)); return 'charged'; };
      // 50 calls, each as its own caller (a fresh store object defeats the in-process sharing).
      const results = await Promise.all(Array.from({ length: 50 }, () => once({ claim: store.claim, complete: store.complete, release: store.release }, 'fulfil:order-7', body)));
      console.log(JSON.stringify([...new Set(results)]));
    `;
    openDurableStore(dir).close(); // creates the schema
    const [a, b] = await Promise.all([runTs(script), runTs(script)]);
    expect(a.stderr + b.stderr).toBe('');
    expect(JSON.parse(a.stdout)).toEqual(['charged']);
    expect(JSON.parse(b.stdout)).toEqual(['charged']);
    expect(readFileSync(effects, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('loads no SQLite without persist; with it, node:sqlite where Node has it, else better-sqlite3', async () => {
    const probe = (persist: boolean) => `
      import { createRequire } from 'node:module';
      import { createApp } from ${JSON.stringify(join(repo, 'src/index.ts'))};
      import { createLocalRuntime } from ${JSON.stringify(join(repo, 'adapters/local/index.ts'))};
      import { openDurableStore } from ${JSON.stringify(join(repo, 'adapters/local/runtime/durable-store.ts'))};
      const app = createApp('probe');
      app.queue('q').consume('c', () => {});
      const runtime = createLocalRuntime(app, { logSink: () => {}${persist ? `, persist: ${JSON.stringify(tempDir())}` : ''} });
      runtime.stop();
      const cache = createRequire(import.meta.url).cache;
      const driver = ${persist ? `(() => { const s = openDurableStore(${JSON.stringify(tempDir())}); s.close(); return s.driver; })()` : 'null'};
      console.log(JSON.stringify({ betterSqlite: Object.keys(cache).some((k) => k.includes('better-sqlite3')), driver }));
    `;
    const [without, withPersist] = await Promise.all([runTs(probe(false)), runTs(probe(true))]);
    expect(JSON.parse(without.stdout)).toEqual({ betterSqlite: false, driver: null });
    // Node 22.13+ has node:sqlite without a flag; on older Node the devDependency better-sqlite3 opens the file.
    const expected =
      typeof (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule === 'function' &&
      (process as unknown as { getBuiltinModule: (id: string) => unknown }).getBuiltinModule('node:sqlite')
        ? 'node:sqlite'
        : 'better-sqlite3';
    expect(JSON.parse(withPersist.stdout)).toEqual({ betterSqlite: expected === 'better-sqlite3', driver: expected });
    expect(withPersist.stderr).toBe('');
  });

  it('without node:sqlite or better-sqlite3, --persist is one typed error naming the npm install line', async () => {
    // A preload hides both modules, as on Node 20 in a project that did not install better-sqlite3.
    const hide = join(tempDir(), 'hide-sqlite.cjs');
    writeFileSync(
      hide,
      `const Module = require('node:module');
       const load = Module._load;
       Module._load = function (request, ...rest) {
         if (request === 'better-sqlite3' || request === 'node:sqlite') { const e = new Error("Cannot find module '" + request + "'"); e.code = 'MODULE_NOT_FOUND'; throw e; }
         return load.call(this, request, ...rest);
       };`,
    );
    const child = spawn(
      process.execPath,
      [
        '--require',
        hide,
        '--import',
        'tsx',
        join(repo, 'src/cli.ts'),
        'dev',
        join(repo, 'adapters/local/testing/crash-app.ts'),
        '--port',
        '0',
        '--persist',
        tempDir(),
      ],
      {
        cwd: repo,
        env: { ...process.env, CRASH_HANDLED_LOG: join(tempDir(), 'h.log') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('[CONFIG_INVALID]');
    expect(stderr).toContain('npm install better-sqlite3');
    expect(stderr).toContain('Node 22.13 or later');
  });

  it('faasport dev --persist <dir> keeps dead letters across a restart of the CLI', async () => {
    const dir = tempDir();
    const dev = async () => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(repo, 'src/cli.ts'),
          'dev',
          join(repo, 'adapters/local/testing/crash-app.ts'),
          '--port',
          '0',
          '--no-schedules',
          '--persist',
          join(dir, 'q'),
        ],
        {
          cwd: repo,
          env: { ...process.env, CRASH_HANDLED_LOG: join(dir, 'handled.log') },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', () => reject(new Error(`faasport dev exited: ${out}`)));
      });
      return {
        url,
        stop: () =>
          new Promise<void>((r) => {
            child.once('exit', () => r());
            child.kill('SIGTERM');
          }),
      };
    };
    const first = await dev();
    try {
      expect((await fetch(`${first.url}/seed`, { method: 'POST', body: JSON.stringify({ from: 0, to: 20 }) })).status).toBe(202);
      for (let i = 0; i < 200; i++) {
        const stats = (await (await fetch(`${first.url}/_faasport/queues`)).json()) as {
          depth: number;
          delayed: number;
          inFlight: number;
          deadLettered: number;
        }[];
        if (stats.every((s) => s.depth + s.delayed + s.inFlight === 0)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await first.stop();
    }
    const second = await dev();
    try {
      const dlq = (await (await fetch(`${second.url}/_faasport/queues/work/dead-letter`)).json()) as { message: { body: { n: number } }; attempts: number }[];
      expect(dlq.map((e) => [e.message.body.n, e.attempts])).toEqual([[0, 3]]);
    } finally {
      await second.stop();
    }
  });
});
