import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CRASH_MAX_ATTEMPTS, CRASH_QUEUES, POISON_EVERY } from '../testing/crash-app.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const childScript = fileURLToPath(new URL('../testing/crash-child.ts', import.meta.url));
const MESSAGES = 10_000;
const KILLS = 20;
const work = mkdtempSync(join(tmpdir(), 'faasport-crash-'));
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with FAASPORT_CRASH_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Run {
  readonly child: ChildProcess;
  /** Resolves with the stdout lines seen so far once `line` (a prefix) appears. */
  waitFor(prefix: string, timeoutMs?: number): Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  lines(): string[];
  stderr(): string;
}

function startChild(seed: number, runIndex: number): Run {
  // node --import tsx, not the tsx wrapper: SIGKILL must hit the process that runs the queue.
  const child = spawn(process.execPath, ['--import', 'tsx', childScript], {
    cwd: repo,
    env: {
      ...process.env,
      CRASH_DIR: join(work, 'queues'),
      CRASH_HANDLED_LOG: join(work, 'handled.log'),
      CRASH_SEED: String(seed),
      CRASH_RUN: String(runIndex),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
      for (const l of listeners) l();
    }),
  );
  const lines = () => out.split('\n').filter(Boolean);
  return {
    child,
    exited,
    lines,
    stderr: () => err,
    waitFor: (prefix, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = lines().find((l) => l.startsWith(prefix));
          if (hit !== undefined) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(hit);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`child exited before "${prefix}": ${out.slice(-500)} ${err.slice(-2000)}`));
          }
        };
        const timer = setTimeout(() => reject(new Error(`no "${prefix}" within ${timeoutMs} ms: ${out.slice(-500)} ${err.slice(-2000)}`)), timeoutMs);
        listeners.add(check);
        check();
      }),
  };
}

const recoveredOf = (run: Run): Record<string, number> => {
  const line = run.lines().find((l) => l.startsWith('RECOVERED '));
  return line ? (JSON.parse(line.slice('RECOVERED '.length)) as Record<string, number>) : {};
};

interface QueueFigures {
  queue: string;
  handled: number;
  deadLettered: number;
  poisonDeadLettered: number;
  leaseLostDeadLettered: number;
  lost: number;
  duplicates: number;
  inFlightAtKills: number;
  perKill: number[];
  duplicatesPerKill: number[];
}

describe('durable local queue under SIGKILL', () => {
  it(`loses no message over ${MESSAGES} messages per queue and ${KILLS} kills; duplicates stay within what was in flight`, async () => {
    const seed = Number(process.env.FAASPORT_CRASH_SEED ?? Date.now() % 1_000_000);
    const random = prng(seed);
    const started = Date.now();
    const inFlightAtKill: Record<string, number>[] = [];

    // Act: run, kill at a random point after delivery started, restart; 20 times.
    for (let k = 0; k < KILLS; k++) {
      const run = startChild(k === 0 ? MESSAGES : 0, k);
      await run.waitFor('READY');
      if (k > 0) inFlightAtKill.push(recoveredOf(run));
      await new Promise((r) => setTimeout(r, 20 + Math.floor(random() * 280)));
      // Every kill must land while messages are still being processed.
      expect(
        run.lines().some((l) => l.startsWith('DONE')),
        `run ${k} finished before its kill`,
      ).toBe(false);
      run.child.kill('SIGKILL');
      expect((await run.exited).signal).toBe('SIGKILL');
    }
    const last = startChild(0, KILLS);
    await last.waitFor('READY');
    inFlightAtKill.push(recoveredOf(last));
    const done = await last.waitFor('DONE ', 60_000);
    expect(await last.exited).toEqual({ code: 0, signal: null });
    expect(last.stderr()).toBe('');
    const durationMs = Date.now() - started;

    // Assess
    const dead = JSON.parse(done.slice('DONE '.length)) as { queue: string; n: number; error: string; attempts: number }[];
    const handledLines = readFileSync(join(work, 'handled.log'), 'utf8').split('\n').filter(Boolean);
    const figures: QueueFigures[] = CRASH_QUEUES.map((queue) => {
      const handled = new Map<number, number>();
      // Which runs handled each message, in order: a repeat is charged to the kill that ended
      // the run of the handling before it (the side effect was done, the ack was not).
      const runsOf = new Map<number, number[]>();
      for (const line of handledLines) {
        const [q, n, r] = line.split(' ');
        if (q !== queue) continue;
        handled.set(Number(n), (handled.get(Number(n)) ?? 0) + 1);
        runsOf.set(Number(n), [...(runsOf.get(Number(n)) ?? []), Number(r)]);
      }
      const duplicatesPerKill = Array.from({ length: KILLS }, () => 0);
      for (const runs of runsOf.values()) for (let j = 1; j < runs.length; j++) if (runs[j - 1]! < KILLS) duplicatesPerKill[runs[j - 1]!]! += 1;
      const deadHere = dead.filter((d) => d.queue === queue);
      const deadSet = new Set(deadHere.map((d) => d.n));
      expect(deadSet.size, `${queue}: a message was dead-lettered twice`).toBe(deadHere.length);
      for (let n = 0; n < MESSAGES; n += POISON_EVERY) {
        expect(handled.has(n), `${queue}: poison ${n} was handled`).toBe(false);
        expect(deadSet.has(n), `${queue}: poison ${n} was not dead-lettered`).toBe(true);
      }
      for (const d of deadHere) {
        expect(d.attempts).toBe(CRASH_MAX_ATTEMPTS);
        // A good message is dead-lettered only when kills took every one of its attempts.
        if (d.n % POISON_EVERY !== 0) expect(d.error).toBe('LeaseExpired');
      }
      let duplicates = 0;
      for (const count of handled.values()) duplicates += count - 1;
      const perKill = inFlightAtKill.map((r) => r[queue] ?? 0);
      return {
        queue,
        handled: handled.size,
        deadLettered: deadHere.length,
        poisonDeadLettered: deadHere.filter((d) => d.error === 'Error').length,
        leaseLostDeadLettered: deadHere.filter((d) => d.error === 'LeaseExpired').length,
        lost: Array.from({ length: MESSAGES }, (_, n) => n).filter((n) => !handled.has(n) && !deadSet.has(n)).length,
        duplicates,
        inFlightAtKills: perKill.reduce((a, b) => a + b, 0),
        perKill,
        duplicatesPerKill,
      };
    });

    console.log(`[figures] crash: ${MESSAGES} messages per queue, ${KILLS} SIGKILLs at random points (seed ${seed}), ${durationMs} ms in all`);
    for (const f of figures) console.log(`[figures] crash ${JSON.stringify(f)}`);
    expect(inFlightAtKill).toHaveLength(KILLS);
    for (const f of figures) {
      expect(f.lost, `${f.queue}: messages lost`).toBe(0);
      expect(f.duplicates, `${f.queue}: duplicates over the messages in flight at the kills`).toBeLessThanOrEqual(f.inFlightAtKills);
      // And kill by kill: no kill caused more repeats than it left messages in flight.
      f.duplicatesPerKill.forEach((d, k) =>
        expect(d, `${f.queue}: kill ${k} caused ${d} repeats with ${f.perKill[k]} in flight`).toBeLessThanOrEqual(f.perKill[k]!),
      );
    }
  }, 120_000);
});
