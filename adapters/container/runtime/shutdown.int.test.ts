import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApp } from '../../../src/load-app.js';
import type { App } from 'faasport';
import type { ContainerCloud } from './adapter.js';
import { startBackend, type QueueBackend } from '../testing/backends.js';
import { DRAIN_CONCURRENCY } from '../testing/drain-app.js';
import { buildServer, startServer, waitFor, type BuiltServer, type ServerProcess } from '../testing/server-process.js';

// The built server stopped mid-batch, by SIGTERM (within and past its grace period) and by
// SIGKILL, then a second replica started on the same queue: what was lost, what ran twice.
const APP = 'adapters/container/testing/drain-app.ts';
const JOBS = 12;
const clouds: ContainerCloud[] = ['aws', 'azure', 'gcp'];

interface Record_ {
  readonly event: 'start' | 'done' | 'http';
  readonly n: number;
  readonly pid: number;
}

function records(file: string): Record_[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [event, n, pid] = line.split(' ');
      return { event: event as Record_['event'], n: Number(n), pid: Number(pid) };
    });
}

const doneCount = (file: string): Map<number, number> => {
  const counts = new Map<number, number>();
  for (const r of records(file)) if (r.event === 'done') counts.set(r.n, (counts.get(r.n) ?? 0) + 1);
  return counts;
};

describe.each(clouds)('%s container: stopping mid-batch', (cloud) => {
  let app: App;
  let built: BuiltServer;
  let scratch: string;
  const backends: QueueBackend[] = [];
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    ({ app } = await loadApp(APP, process.cwd()));
    built = await buildServer(APP, cloud);
    scratch = mkdtempSync(join(tmpdir(), 'faasport-drain-'));
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill('SIGKILL', 1000)));
    await Promise.all(backends.map((b) => b.stop()));
    built?.remove();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** A fresh queue service with JOBS jobs waiting, and a record file. */
  async function prepare(name: string): Promise<{ backend: QueueBackend; record: string }> {
    const backend = await startBackend(cloud, app);
    backends.push(backend);
    for (let n = 1; n <= JOBS; n++) await backend.send('jobs', { n });
    return { backend, record: join(scratch, `${name}.log`) };
  }

  async function replica(backend: QueueBackend, record: string, env: Record<string, string>): Promise<ServerProcess> {
    const server = await startServer(built.outDir, { ...backend.env, DRAIN_RECORD: record, FAASPORT_LEASE_SECONDS: '3', ...env });
    servers.push(server);
    return server;
  }

  /** Runs a second replica until every job is done, then stops it. */
  async function finishWithSecondReplica(backend: QueueBackend, record: string): Promise<void> {
    const second = await replica(backend, record, { DRAIN_HANDLER_MS: '50' });
    await waitFor(() => (doneCount(record).size === JOBS ? true : undefined), 60_000, `all ${JOBS} jobs done`);
    // Anything still leased would run again here: give a redelivery the chance to show up.
    await new Promise((r) => setTimeout(r, 4000));
    expect((await second.kill('SIGTERM')).code).toBe(0);
  }

  it('SIGTERM within the grace period: in-flight jobs and requests finish, the server exits 0, nothing is lost and nothing runs twice', async () => {
    const { backend, record } = await prepare('sigterm');
    const first = await replica(backend, record, { DRAIN_HANDLER_MS: '400', FAASPORT_GRACE_MS: '5000' });
    await waitFor(() => (doneCount(record).size >= DRAIN_CONCURRENCY ? true : undefined), 30_000, 'a first batch done');
    const slow = fetch(`${first.url}/slow`);
    await waitFor(() => (records(record).some((r) => r.event === 'http') ? true : undefined), 10_000, 'the slow request running');
    const exit = await first.kill('SIGTERM');
    expect(exit.code).toBe(0);
    const answer = await slow;
    expect([answer.status, await answer.text()]).toEqual([200, 'done']);
    const stopped = first.logs().find((l) => l.msg === 'faasport container stopped');
    expect(stopped).toMatchObject({ handedBack: 0 });
    const byFirst = records(record).filter((r) => r.pid === first.child.pid);
    // Every job the first replica started, it finished.
    expect(byFirst.filter((r) => r.event === 'done').length).toBe(byFirst.filter((r) => r.event === 'start').length);
    await finishWithSecondReplica(backend, record);
    expect([...doneCount(record).values()].every((c) => c === 1)).toBe(true);
    expect(doneCount(record).size).toBe(JOBS);
  });

  it('SIGTERM past the grace period: unfinished jobs are handed back and run once by the next replica; finished ones do not run again', async () => {
    const { backend, record } = await prepare('sigterm-grace');
    const first = await replica(backend, record, { DRAIN_HANDLER_MS: '1500', FAASPORT_GRACE_MS: '200' });
    await waitFor(() => (doneCount(record).size >= DRAIN_CONCURRENCY ? true : undefined), 30_000, 'a first batch done');
    // The second batch has started: stop while it runs.
    await waitFor(() => (records(record).filter((r) => r.event === 'start').length > doneCount(record).size ? true : undefined), 10_000, 'a batch in flight');
    const exit = await first.kill('SIGTERM');
    expect(exit.code).toBe(0);
    // Started and never finished by the first replica: what it had in flight when the grace ran out.
    const inFlight = records(record).filter((r) => r.event === 'start').length - records(record).filter((r) => r.event === 'done').length;
    const stopped = first.logs().find((l) => l.msg === 'faasport container stopped');
    expect(stopped?.handedBack).toBe(inFlight);
    expect(inFlight).toBeGreaterThan(0);
    await finishWithSecondReplica(backend, record);
    expect(doneCount(record).size).toBe(JOBS);
    expect([...doneCount(record).values()].every((c) => c === 1)).toBe(true);
  });

  it(`SIGKILL mid-batch: nothing is lost, and no job runs twice more often than the ${DRAIN_CONCURRENCY} that can be in flight`, async () => {
    const { backend, record } = await prepare('sigkill');
    const first = await replica(backend, record, { DRAIN_HANDLER_MS: '400' });
    await waitFor(() => (doneCount(record).size >= DRAIN_CONCURRENCY ? true : undefined), 30_000, 'a first batch done');
    expect((await first.kill('SIGKILL')).signal).toBe('SIGKILL');
    const started = new Set(
      records(record)
        .filter((r) => r.event === 'start')
        .map((r) => r.n),
    );
    const finished = new Set(doneCount(record).keys());
    await finishWithSecondReplica(backend, record);
    const counts = doneCount(record);
    expect(counts.size).toBe(JOBS);
    const repeated = [...counts.values()].filter((c) => c > 1).length;
    expect(repeated).toBeLessThanOrEqual(DRAIN_CONCURRENCY);
    // Jobs killed mid-run were run to the end by the second replica.
    for (const n of started) if (!finished.has(n)) expect(counts.get(n)).toBeGreaterThanOrEqual(1);
  });
});
