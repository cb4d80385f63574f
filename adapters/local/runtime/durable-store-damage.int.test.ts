// What the durable store (`faasport dev --persist`) does with a file damaged, emptied, cut from
// its write-ahead log, or full: every case against a real SQLite file, written by a real
// runtime and, where the issue is the server's behaviour, through a real `faasport dev` child.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, isFaasportError, type FaasportError, type LogRecord } from 'faasport';
import { DURABLE_FILE, MARKER_FILE, openDurableStore } from './durable-store.js';
import { inspectWal } from './inspect-wal.js';
import { createLocalRuntime, type LocalRuntime } from './runtime.js';
import { openSqlite } from './sqlite-driver.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const MESSAGES = 300;
const dirs: string[] = [];
const runtimes: LocalRuntime[] = [];

afterEach(() => {
  for (const r of runtimes.splice(0)) r.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'faasport-damage-'));
  dirs.push(dir);
  return dir;
}

function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * A child process accepts MESSAGES messages on queue "orders" of a durable runtime in `dir`,
 * then stops: `kill` = SIGKILL right after the last send (the WAL keeps the writes), else a clean stop.
 */
async function seed(dir: string, how: 'kill' | 'clean'): Promise<void> {
  const script = join(tempDir(), 'seed.mts');
  writeFileSync(
    script,
    `import { createApp } from ${JSON.stringify(join(repo, 'src/index.ts'))};
     import { createLocalRuntime } from ${JSON.stringify(join(repo, 'adapters/local/index.ts'))};
     const app = createApp('shop');
     const orders = app.queue('orders');
     const runtime = createLocalRuntime(app, { persist: ${JSON.stringify(dir)}, devApi: false, logSink: () => {} });
     for (let n = 0; n < ${MESSAGES}; n++) await orders.send({ n }, { attributes: { tenant: 't' + n } });
     console.log('sent');
     if (${JSON.stringify(how)} === 'kill') process.kill(process.pid, 'SIGKILL');
     runtime.stop();`,
  );
  // node --import tsx, not the tsx wrapper: the SIGKILL must end the process that owns the store.
  const result = await run(process.execPath, ['--import', 'tsx', script]);
  expect(result.stdout).toContain('sent');
  expect(result.signal ?? 'exited').toBe(how === 'kill' ? 'SIGKILL' : 'exited');
}

/** The store's verdict on `dir`: the error it refuses with, or the messages it would deliver. */
function open(dir: string, logs: LogRecord[] = []): { error: FaasportError } | { runtime: LocalRuntime; delivered: Promise<number[]> } {
  const app = createApp('shop');
  const seen: number[] = [];
  app.queue<{ n: number }>('orders').consume('fulfil', (m) => void seen.push(m.body.n));
  let runtime: LocalRuntime;
  try {
    runtime = createLocalRuntime(app, { persist: dir, devApi: false, logSink: (r) => logs.push(r) });
  } catch (err) {
    if (!isFaasportError(err)) throw err;
    return { error: err };
  }
  runtimes.push(runtime);
  return { runtime, delivered: runtime.whenIdle(10_000).then(() => seen.sort((a, b) => a - b)) };
}

function refusal(dir: string): FaasportError {
  const verdict = open(dir);
  if (!('error' in verdict)) throw new Error('the store opened; it should have been refused');
  return verdict.error;
}

/** Every refusal names the file, says nothing was changed, and advises a step that keeps every row. */
function expectSafeRefusal(err: FaasportError, dir: string, reason: string): void {
  expect(err.code).toBe('STORE_DAMAGED');
  expect(err.details).toMatchObject({ path: join(dir, DURABLE_FILE), reason });
  expect(err.message).toContain(join(dir, DURABLE_FILE));
  expect(err.message).toContain('Nothing was changed');
  expect(err.message).toContain(`mv ${dir} ${dir}.damaged`);
  expect(err.message).toContain('.recover" (or ".dump")');
  expect(err.message).not.toMatch(/\brm\b|remove the file|delete/i);
}

const path = (dir: string) => join(dir, DURABLE_FILE);

/** Counts the messages SQLite itself reads from a copy of the files, as it would if faasport did not look first. */
function sqliteSees(dir: string): number {
  const copy = tempDir();
  for (const suffix of ['', '-wal']) if (existsSync(path(dir) + suffix)) writeFileSync(join(copy, DURABLE_FILE + suffix), readFileSync(path(dir) + suffix));
  const db = openSqlite(join(copy, DURABLE_FILE));
  try {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'messages'").get() as { n: number };
    return tables.n === 0 ? 0 : (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('a durable store that never loses silently', () => {
  it('control: after a kill, all 300 acknowledged messages are in the WAL and delivered on restart', async () => {
    const dir = tempDir();
    await seed(dir, 'kill');
    expect(statSync(`${path(dir)}-wal`).size).toBeGreaterThan(0);
    const verdict = open(dir);
    expect('runtime' in verdict && (await verdict.delivered)).toEqual(Array.from({ length: MESSAGES }, (_, n) => n));
  });

  it('a deleted WAL after a kill is refused with STORE_DAMAGED, not a start with 0 of 300', async () => {
    const dir = tempDir();
    await seed(dir, 'kill');
    unlinkSync(`${path(dir)}-wal`);
    // What SQLite alone would do: open the file as a store without those messages.
    const seen = sqliteSees(dir);
    expect(seen).toBeLessThan(MESSAGES);
    const err = refusal(dir);
    console.log(`[figures] durable store, WAL deleted after a SIGKILL: SQLite alone reads ${seen} of ${MESSAGES} messages; faasport refuses with ${err.code}`);
    expectSafeRefusal(err, dir, 'wal-missing');
    expect(err.message).toContain('has no write-ahead log');
    // Refusing changed nothing: the marker still says the last run did not close the store.
    expect(JSON.parse(readFileSync(join(dir, MARKER_FILE), 'utf8'))).toMatchObject({ open: true });
  });

  it('a WAL frame damaged on disk is refused, naming the frame and the commits SQLite would drop', async () => {
    const dir = tempDir();
    await seed(dir, 'kill');
    const wal = `${path(dir)}-wal`;
    const before = inspectWal(wal);
    expect(before.damagedFrame).toBeUndefined();
    const pageSize = readFileSync(wal).readUInt32BE(8);
    // Damage to the last frame alone looks like a write a kill tore (never acknowledged): left to SQLite.
    const tornCopy = join(tempDir(), 'torn-wal');
    const bytes = readFileSync(wal);
    const lastFrame = 32 + (before.frames - 1) * (24 + pageSize);
    bytes[lastFrame + 24 + 100] = bytes[lastFrame + 24 + 100]! ^ 0xff;
    writeFileSync(tornCopy, bytes);
    expect(inspectWal(tornCopy)).toMatchObject({ damagedFrame: undefined, headerDamaged: false });
    // One byte of the third frame's page, far from the end of the log.
    const fd = openSync(wal, 'r+');
    writeSync(fd, Buffer.from([0xff ^ readFileSync(wal)[32 + 2 * (24 + pageSize) + 24 + 100]!]), 0, 1, 32 + 2 * (24 + pageSize) + 24 + 100);
    closeSync(fd);
    const seen = sqliteSees(dir);
    expect(seen).toBeLessThan(MESSAGES);
    const err = refusal(dir);
    expectSafeRefusal(err, dir, 'wal-frame');
    console.log(
      `[figures] durable store, WAL frame 2 damaged: SQLite alone reads ${seen} of ${MESSAGES} messages; faasport refuses with ${err.code} (${String(err.details!.commitsDropped)} commits would be dropped)`,
    );
    expect(err.details).toMatchObject({ frame: 2 });
    expect(err.details!.commitsDropped).toBeGreaterThan(0);
  });

  it('an emptied (0-byte) or deleted store file is refused when the folder held a store', async () => {
    const emptied = tempDir();
    await seed(emptied, 'clean');
    truncateSync(path(emptied), 0);
    expectSafeRefusal(refusal(emptied), emptied, 'empty');

    const deleted = tempDir();
    await seed(deleted, 'clean');
    unlinkSync(path(deleted));
    expectSafeRefusal(refusal(deleted), deleted, 'missing');

    // Another folder's store copied over this one's: the marker names a different store.
    const swapped = tempDir();
    await seed(swapped, 'clean');
    const other = tempDir();
    openDurableStore(other).close();
    writeFileSync(path(swapped), readFileSync(path(other)));
    expectSafeRefusal(refusal(swapped), swapped, 'replaced');
  });

  it('a damaged page is refused at start (quick_check), and so is a damaged file header', async () => {
    const dir = tempDir();
    await seed(dir, 'clean');
    const size = statSync(path(dir)).size;
    const pageSize = readFileSync(path(dir)).readUInt16BE(16);
    expect(size / pageSize).toBeGreaterThan(4);
    // Garbage over the b-tree header of a page in the middle of the messages.
    const page = Math.floor(size / pageSize / 2);
    const fd = openSync(path(dir), 'r+');
    writeSync(fd, Buffer.alloc(64, 0x5a), 0, 64, page * pageSize);
    closeSync(fd);
    expectSafeRefusal(refusal(dir), dir, 'pages');

    const header = tempDir();
    await seed(header, 'clean');
    const hfd = openSync(path(header), 'r+');
    writeSync(hfd, Buffer.from('not a database!!'), 0, 16, 0);
    closeSync(hfd);
    expectSafeRefusal(refusal(header), header, 'not-a-database');
  });

  it('a missing table is refused, naming it', async () => {
    const dir = tempDir();
    await seed(dir, 'clean');
    const db = openSqlite(path(dir));
    db.exec('DROP TABLE dead_letters');
    db.close();
    const err = refusal(dir);
    expectSafeRefusal(err, dir, 'tables');
    expect(err.details).toMatchObject({ missing: ['dead_letters'] });
  });

  it('a row that cannot be decoded goes to the dead letters with MESSAGE_INVALID; the other 299 are delivered', async () => {
    const dir = tempDir();
    await seed(dir, 'clean');
    const db = openSqlite(path(dir));
    db.prepare("UPDATE messages SET attributes = '{not json' WHERE seq = 7").run();
    db.close();
    const logs: LogRecord[] = [];
    const verdict = open(dir, logs);
    if (!('runtime' in verdict)) throw verdict.error;
    const delivered = await verdict.delivered;
    expect(delivered).toHaveLength(MESSAGES - 1);
    expect(delivered).not.toContain(6);
    const [dead] = verdict.runtime.deadLetters('orders');
    expect(dead).toMatchObject({ message: { body: { n: 6 } }, lastError: { code: 'MESSAGE_INVALID' } });
    expect(dead!.lastError.message).toContain('attributes are not JSON');
    expect(logs.find((l) => l.msg.includes('could not be decoded'))).toMatchObject({ deadLettered: 1, notMoved: 0 });
    // Moved in the file too: the next run finds it among the dead letters, not the messages.
    verdict.runtime.stop();
    runtimes.splice(runtimes.indexOf(verdict.runtime), 1);
    const again = open(dir);
    if (!('runtime' in again)) throw again.error;
    expect(await again.delivered).toEqual([]);
    expect(again.runtime.deadLetters('orders')).toEqual([expect.objectContaining({ lastError: expect.objectContaining({ code: 'MESSAGE_INVALID' }) })]);
  });

  it('a dead letter whose envelope cannot be decoded is still listed, with its text and MESSAGE_INVALID', async () => {
    const dir = tempDir();
    const store = openDurableStore(dir);
    const db = openSqlite(store.path);
    db.prepare("INSERT INTO dead_letters (channel, message_id, envelope) VALUES ('orders', 'm1', '{\"message\": trunc')").run();
    db.close();
    store.close();
    const verdict = open(dir);
    if (!('runtime' in verdict)) throw verdict.error;
    expect(verdict.runtime.deadLetters('orders')).toEqual([
      expect.objectContaining({
        message: expect.objectContaining({ body: '{"message": trunc' }),
        lastError: expect.objectContaining({ code: 'MESSAGE_INVALID' }),
      }),
    ]);
  });

  it('a full store refuses sends with STORE_FULL (HTTP 507 on the dev API), keeps running and loses nothing acknowledged', async () => {
    const dir = tempDir();
    const app = createApp('shop');
    const orders = app.queue<{ n: number; pad: string }>('orders');
    const runtime = createLocalRuntime(app, { persist: dir, persistMaxBytes: 256 * 1024, logSink: () => {} });
    runtimes.push(runtime);
    const pad = 'x'.repeat(2_000);
    let accepted = 0;
    let refused: unknown;
    for (let n = 0; n < 1_000 && refused === undefined; n++) {
      try {
        await orders.send({ n, pad });
        accepted++;
      } catch (err) {
        refused = err;
      }
    }
    expect(accepted).toBeGreaterThan(10);
    expect(isFaasportError(refused) && refused.code).toBe('STORE_FULL');
    console.log(
      `[figures] durable store capped at 256 KB: ${accepted} sends of 2 KB accepted, the next refused with STORE_FULL (507); all ${accepted} delivered after a restart`,
    );
    expect((refused as FaasportError).status).toBe(507);
    expect((refused as Error).message).toContain(path(dir));
    // A batch that does not fit is refused whole.
    await expect(
      orders.sendBatch([
        { n: -2, pad: '' },
        { n: -3, pad },
      ]),
    ).rejects.toMatchObject({ code: 'STORE_FULL' });
    const viaDevApi = await runtime.fetch(
      new Request('http://localhost/_faasport/queues/orders/messages', { method: 'POST', body: JSON.stringify({ n: -1, pad }) }),
    );
    expect(viaDevApi.status).toBe(507);
    expect(await viaDevApi.json()).toMatchObject({ code: 'STORE_FULL' });
    // Still up: the dev API answers and the queue holds every accepted message.
    const stats = (await (await runtime.fetch(new Request('http://localhost/_faasport/queues'))).json()) as { queue: string; depth: number }[];
    expect(stats.find((s) => s.queue === 'orders')?.depth).toBe(accepted);
    runtime.stop();
    runtimes.splice(runtimes.indexOf(runtime), 1);
    const verdict = open(dir);
    if (!('runtime' in verdict)) throw verdict.error;
    expect(await verdict.delivered).toEqual(Array.from({ length: accepted }, (_, n) => n));
  });
});

describe('faasport dev --persist, as a child process', () => {
  const cli = (dir: string) => [
    '--import',
    'tsx',
    join(repo, 'src/cli.ts'),
    'dev',
    join(repo, 'adapters/local/testing/crash-app.ts'),
    '--port',
    '0',
    '--no-schedules',
    '--persist',
    dir,
  ];

  it('exits 1 with one line naming the damaged file and a safe step, no stack', async () => {
    const dir = tempDir();
    await seed(dir, 'kill');
    unlinkSync(`${path(dir)}-wal`);
    const result = await run(process.execPath, cli(dir), { CRASH_HANDLED_LOG: join(dir, 'handled.log') });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('[STORE_DAMAGED]');
    expect(lines[0]).toContain(path(dir));
    expect(lines[0]).toContain(`mv ${dir} ${dir}.damaged`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('with --persist-max-mb 1: sends get 507 once full, the server keeps serving, and a restart after SIGKILL finds every accepted message', async () => {
    const dir = tempDir();
    // A queue with no consumer, so the store only grows.
    const appFile = join(dir, 'app.ts');
    writeFileSync(
      appFile,
      `import { createApp } from ${JSON.stringify(join(repo, 'src/index.ts'))};\nexport const app = createApp('full');\napp.queue('parked');\n`,
    );
    const start = async () => {
      const args = [
        '--import',
        'tsx',
        join(repo, 'src/cli.ts'),
        'dev',
        appFile,
        '--port',
        '0',
        '--no-schedules',
        '--persist',
        join(dir, 'store'),
        '--persist-max-mb',
        '1',
      ];
      const child = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', () => reject(new Error(`faasport dev exited: ${out}`)));
      });
      const kill = async () => {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      };
      return { url, kill };
    };
    const depth = async (url: string) =>
      ((await (await fetch(`${url}/_faasport/queues`)).json()) as { queue: string; depth: number }[]).find((q) => q.queue === 'parked')!.depth;
    const first = await start();
    let accepted = 0;
    let refused: { status: number; code?: string } | undefined;
    const body = JSON.stringify({ pad: 'x'.repeat(8_000) });
    try {
      for (let i = 0; i < 1_000 && !refused; i++) {
        const res = await fetch(`${first.url}/_faasport/queues/parked/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const answer = (await res.json()) as { code?: string };
        if (res.status === 202) accepted++;
        else refused = { status: res.status, ...(answer.code ? { code: answer.code } : {}) };
      }
      expect(refused).toEqual({ status: 507, code: 'STORE_FULL' });
      expect(accepted).toBeGreaterThan(50);
      console.log(
        `[figures] faasport dev --persist-max-mb 1: ${accepted} dev-API sends of 8 KB answered 202, the next 507 STORE_FULL; after SIGKILL and restart the queue holds ${accepted}`,
      );
      // Still serving, and holding what it accepted.
      expect(await depth(first.url)).toBe(accepted);
    } finally {
      await first.kill();
    }
    const second = await start();
    try {
      expect(await depth(second.url)).toBe(accepted);
    } finally {
      await second.kill();
    }
  });
});
