/**
 * Local queue rows: faasport's in-process queue (what `faasport dev` runs) drains a backlog, in
 * memory and with `--persist`, against a hand-written queue that does the same JSON round trip
 * (and, with --persist, the same SQLite writes) and nothing else.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/index.js';
import { createLocalRuntime } from '../../adapters/local/index.js';
import { openSqlite } from '../../adapters/local/runtime/sqlite-driver.js';
import type { BenchRow } from '../row.js';

interface Order {
  readonly orderId: number;
  readonly item: string;
  readonly qty: number;
}

const order = (i: number): Order => ({ orderId: i, item: 'book', qty: 1 });
const folders: string[] = [];

function tempFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'faasport-bench-queue-'));
  folders.push(dir);
  return dir;
}

/**
 * faasport: `n` sends (not awaited one by one, so the backlog is `n` deep before the first
 * delivery), then drained by the app's consumer; `reps` times on one warmed-up runtime, msg/s
 * from the first send to idle.
 */
async function faasportQueue(n: number, reps: number, persist: boolean): Promise<number> {
  const app = createApp('bench-queue');
  const orders = app.queue<Order>('orders');
  let total = 0;
  orders.consume('fulfil', (msg) => {
    total += msg.body.qty;
  });
  const runtime = createLocalRuntime(app, { devApi: false, logSink: () => {}, ...(persist ? { persist: tempFolder() } : {}) });
  const drain = async (): Promise<void> => {
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) sends.push(orders.send(order(i)));
    await Promise.all(sends);
    await runtime.whenIdle(600_000);
  };
  try {
    await drain();
    total = 0;
    const started = performance.now();
    for (let r = 0; r < reps; r++) await drain();
    const seconds = (performance.now() - started) / 1000;
    if (total !== n * reps) throw new Error(`faasport queue delivered ${total} of ${n * reps}`);
    return (n * reps) / seconds;
  } finally {
    runtime.stop();
  }
}

interface HandMessage {
  readonly id: string;
  readonly payload: string;
  readonly enqueuedAt: number;
}

/**
 * The floor: an array and a head index. `send` is async and answers the message's id, as a
 * queue's send does; each body is stringified on send, parsed on delivery and handed with its
 * id and attempt to an async consumer, one message at a time. Warmed up like faasport.
 */
async function handWrittenQueue(n: number, reps: number): Promise<number> {
  let items: HandMessage[] = [];
  let head = 0;
  let total = 0;
  const send = async (body: Order): Promise<{ id: string }> => {
    const m = { id: randomUUID(), payload: JSON.stringify(body), enqueuedAt: Date.now() };
    items.push(m);
    return { id: m.id };
  };
  const consume = async (message: { id: string; body: Order; attempt: number }): Promise<void> => {
    total += message.body.qty;
  };
  const drain = async (): Promise<void> => {
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) sends.push(send(order(i)));
    await Promise.all(sends);
    while (head < items.length) {
      const m = items[head++]!;
      await consume({ id: m.id, body: JSON.parse(m.payload) as Order, attempt: 1 });
    }
    items = [];
    head = 0;
  };
  await drain();
  total = 0;
  const started = performance.now();
  for (let r = 0; r < reps; r++) await drain();
  const seconds = (performance.now() - started) / 1000;
  if (total !== n * reps) throw new Error(`hand-written queue delivered ${total} of ${n * reps}`);
  return (n * reps) / seconds;
}

/**
 * The durable floor: the writes a crash-safe queue needs, by hand, on the same SQLite driver
 * and settings as `--persist` (WAL, synchronous NORMAL): the message is inserted on send, its
 * attempt and lease recorded before the consumer runs, and it is deleted once handled, each
 * write its own transaction.
 */
async function handWrittenSqliteQueue(n: number): Promise<number> {
  const db = openSqlite(join(tempFolder(), 'hand.sqlite'));
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    db.prepare('PRAGMA journal_mode = WAL').get();
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec(`CREATE TABLE messages (id TEXT PRIMARY KEY, channel TEXT NOT NULL, seq INTEGER NOT NULL, payload TEXT NOT NULL, attributes TEXT NOT NULL,
      group_id TEXT, enqueued_at INTEGER NOT NULL, visible_at INTEGER NOT NULL, attempt INTEGER NOT NULL, first_attempt_at INTEGER, leased INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX messages_by_channel ON messages (channel, seq);`);
    const insert = db.prepare(
      'INSERT INTO messages (id, channel, seq, payload, attributes, group_id, enqueued_at, visible_at, attempt, first_attempt_at, leased) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)',
    );
    const update = db.prepare('UPDATE messages SET visible_at = ?, attempt = ?, first_attempt_at = ?, leased = ? WHERE id = ?');
    const remove = db.prepare('DELETE FROM messages WHERE id = ?');
    const items: { id: string; payload: string }[] = [];
    let total = 0;
    const consume = async (body: Order): Promise<void> => {
      total += body.qty;
    };
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      const m = { id: `m-${i}`, payload: JSON.stringify(order(i)) };
      const now = Date.now();
      insert.run(m.id, 'orders', i, m.payload, '{}', null, now, now, 0, null);
      items.push(m);
    }
    for (const m of items) {
      const now = Date.now();
      update.run(now + 180_000, 1, now, 1, m.id);
      await consume(JSON.parse(m.payload) as Order);
      remove.run(m.id);
    }
    const seconds = (performance.now() - started) / 1000;
    if (total !== n) throw new Error(`hand-written SQLite queue delivered ${total} of ${n}`);
    return n / seconds;
  } finally {
    db.close();
  }
}

/** Both subjects once, in an order that alternates by round. */
async function interleave(round: number, subjects: Record<string, () => Promise<number>>): Promise<Record<string, number>> {
  const names = Object.keys(subjects);
  if (round % 2 === 1) names.reverse();
  const value: Record<string, number> = {};
  for (const name of names) value[name] = await subjects[name]!();
  return value;
}

const SUBJECT = 'faasport local queue';
const PEER = 'hand-written queue';
const PERSIST_N = 5_000;

/** A backlog of `n`, drained `reps` times per round. */
function inMemoryRow(n: number, reps: number): BenchRow {
  return {
    id: `local-queue-${n / 1000}k`,
    what: `local queue, in memory, backlog of ${n / 1000}k JSON messages sent then drained${reps > 1 ? ` (${reps} times per round)` : ''}`,
    unit: 'msg/s',
    better: 'higher',
    subject: SUBJECT,
    peer: PEER,
    goal: { ratio: 0.33, text: '≥ 0.33 of the hand-written queue, the same at 1k and 50k' },
    note: 'each message gets what the hand-written queue skips: validation and the size check at send, an id, a lease, an attempt count, an invocation context with its trace and logger, and the failure rule; a 1k backlog drains in a few milliseconds, so one garbage collection or timer tick moves its ratio between runs, while the 50k backlog holds steady; runs of this table put it anywhere from 0.20 to 0.67.',
    measure: (round) => interleave(round, { [SUBJECT]: () => faasportQueue(n, reps, false), [PEER]: () => handWrittenQueue(n, reps) }),
  };
}

export const rows: BenchRow[] = [
  inMemoryRow(1_000, 20),
  inMemoryRow(50_000, 1),
  {
    id: 'local-queue-persist',
    what: `local queue --persist, ${PERSIST_N.toLocaleString('en')} messages sent then drained, SQLite (WAL), same crash guarantees`,
    unit: 'msg/s',
    better: 'higher',
    subject: `${SUBJECT} --persist`,
    peer: 'the same SQLite writes by hand',
    goal: { ratio: 1.0, text: '≥ 1.0 of the same SQLite writes by hand' },
    measure: (round) =>
      interleave(round, {
        [`${SUBJECT} --persist`]: () => faasportQueue(PERSIST_N, 1, true),
        'the same SQLite writes by hand': () => handWrittenSqliteQueue(PERSIST_N),
      }),
    async dispose() {
      for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  },
];
