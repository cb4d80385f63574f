import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { FaasportError, type DeadLetterEnvelope, type IdempotencyStore } from '../../src/index.js';
import { createDurableIdempotencyStore } from './durable-idempotency-store.js';
import type { PersistedQueues, QueueStore, StoredMessage } from './queue-engine.js';

/** What `faasport dev --persist <dir>` keeps in `<dir>`: queues, dead letters and `ctx.once` keys. */
export interface DurableStore {
  /** The SQLite file. */
  readonly path: string;
  readonly queues: QueueStore;
  readonly idempotency: IdempotencyStore;
  /** Releases the folder for another process. */
  close(): void;
}

export const DURABLE_FILE = 'faasport.sqlite';
/** Files this process has open: a second runtime on one folder would deliver every message twice. */
const openHere = new Set<string>();
const SCHEMA_VERSION = 1;

interface MessageRow {
  id: string;
  channel: string;
  seq: number;
  payload: string;
  attributes: string;
  group_id: string | null;
  enqueued_at: number;
  visible_at: number;
  attempt: number;
  first_attempt_at: number | null;
}

/**
 * Opens (or creates) the durable store in `dir`. better-sqlite3 loads here, on first use, so
 * `faasport dev` without `--persist` never loads it. Writes use SQLite's WAL journal: each
 * one is on disk before the call returns, so a killed process loses nothing it acknowledged.
 * One process owns a folder at a time.
 *
 * @example
 * ```ts
 * import { createApp } from 'faasport';
 * import { createLocalRuntime } from 'faasport/local';
 * // What `faasport dev app.ts --persist .faasport` does: queues survive restarts and crashes.
 * const runtime = createLocalRuntime(createApp('demo'), { persist: '.faasport' });
 * runtime.stop();
 * ```
 */
export function openDurableStore(dir: string): DurableStore {
  const folder = resolve(dir);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (err) {
    throw new FaasportError('CONFIG_INVALID', `--persist ${dir}: cannot create the folder (${(err as Error).message}); pass a writable folder`, { cause: err });
  }
  const path = join(folder, DURABLE_FILE);
  if (openHere.has(path)) {
    throw new FaasportError('CONFIG_INVALID', `--persist ${dir}: this process already runs a local runtime on this folder; stop it first or pass another folder`);
  }
  const Database = loadSqlite();
  let db: BetterSqlite3.Database;
  try {
    db = new Database(path, { timeout: 5_000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrate(db, path);
    claimFolder(db, dir);
  } catch (err) {
    // db may be half-open; a second close is harmless.
    try {
      db!?.close();
    } catch {
      /* already closed */
    }
    if (err instanceof FaasportError) throw err;
    throw new FaasportError('CONFIG_INVALID', `--persist ${dir}: cannot open ${path} (${(err as Error).message}); remove the file or use another folder`, { cause: err });
  }
  let open = true;
  openHere.add(path);
  return {
    path,
    queues: createQueueStore(db),
    idempotency: createDurableIdempotencyStore(db, { releasePending: true }),
    close() {
      if (!open) return;
      open = false;
      openHere.delete(path);
      db.prepare("DELETE FROM meta WHERE key = 'owner_pid' AND value = ?").run(String(process.pid));
      db.close();
    },
  };
}

function loadSqlite(): typeof BetterSqlite3 {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  } catch (err) {
    throw new FaasportError(
      'CONFIG_INVALID',
      `--persist needs the better-sqlite3 package, which did not load (${(err as Error).message.split('\n')[0]}); run "npm install better-sqlite3@12" or drop --persist`,
      { cause: err },
    );
  }
}

function migrate(db: BetterSqlite3.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new FaasportError('CONFIG_INVALID', `${path} was written by a newer faasport (schema ${version}); upgrade faasport or use another folder`);
  }
  if (version === SCHEMA_VERSION) return;
  db.exec(`
    CREATE TABLE IF NOT EXISTS messages (
      id TEXT PRIMARY KEY,
      channel TEXT NOT NULL,
      seq INTEGER NOT NULL,
      payload TEXT NOT NULL,
      attributes TEXT NOT NULL,
      group_id TEXT,
      enqueued_at INTEGER NOT NULL,
      visible_at INTEGER NOT NULL,
      attempt INTEGER NOT NULL,
      first_attempt_at INTEGER,
      leased INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS messages_by_channel ON messages (channel, seq);
    CREATE TABLE IF NOT EXISTS dead_letters (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      channel TEXT NOT NULL,
      message_id TEXT NOT NULL UNIQUE,
      envelope TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS idempotency (
      key TEXT PRIMARY KEY,
      state TEXT NOT NULL,
      owner TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      value TEXT
    );
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    PRAGMA user_version = ${SCHEMA_VERSION};
  `);
}

/** Records this process as the folder's owner, unless a live process already is. */
function claimFolder(db: BetterSqlite3.Database, dir: string): void {
  db.transaction(() => {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'owner_pid'").get() as { value: string } | undefined;
    const pid = row ? Number(row.value) : undefined;
    if (pid !== undefined && pid !== process.pid && isAlive(pid)) {
      throw new FaasportError('CONFIG_INVALID', `--persist ${dir}: process ${pid} is using this folder; stop it or pass another folder`, {
        details: { pid },
      });
    }
    db.prepare("INSERT INTO meta (key, value) VALUES ('owner_pid', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(process.pid));
  }).immediate();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function createQueueStore(db: BetterSqlite3.Database): QueueStore {
  const insert = db.prepare(
    `INSERT INTO messages (id, channel, seq, payload, attributes, group_id, enqueued_at, visible_at, attempt, first_attempt_at, leased)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
  );
  const update = db.prepare('UPDATE messages SET visible_at = ?, attempt = ?, first_attempt_at = ?, leased = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM messages WHERE id = ?');
  const keepDeadLetter = db.prepare('INSERT INTO dead_letters (channel, message_id, envelope) VALUES (?, ?, ?)');
  const deadLetter = db.transaction((channel: string, id: string, envelope: string) => {
    remove.run(id);
    keepDeadLetter.run(channel, id, envelope);
  });
  return {
    load(now) {
      // Leases of a stopped process are void: those deliveries counted, the messages are due again.
      const recoveredInFlight = db.transaction(() => {
        const counts = db.prepare('SELECT channel, count(*) AS n FROM messages WHERE leased = 1 GROUP BY channel').all() as { channel: string; n: number }[];
        db.prepare('UPDATE messages SET leased = 0, visible_at = min(visible_at, ?) WHERE leased = 1').run(now);
        return new Map(counts.map((c) => [c.channel, c.n]));
      })();
      const messages = new Map<string, StoredMessage[]>();
      for (const row of db.prepare('SELECT * FROM messages ORDER BY seq').iterate() as IterableIterator<MessageRow>) {
        const list = messages.get(row.channel) ?? [];
        list.push({
          id: row.id,
          seq: row.seq,
          payload: row.payload,
          attributes: JSON.parse(row.attributes) as Record<string, string>,
          groupId: row.group_id ?? undefined,
          enqueuedAt: new Date(row.enqueued_at),
          visibleAt: row.visible_at,
          attempt: row.attempt,
          firstAttemptAt: row.first_attempt_at === null ? undefined : new Date(row.first_attempt_at),
          receipt: undefined,
        });
        messages.set(row.channel, list);
      }
      const deadLetters = new Map<string, DeadLetterEnvelope[]>();
      for (const row of db.prepare('SELECT channel, envelope FROM dead_letters ORDER BY seq').iterate() as IterableIterator<{ channel: string; envelope: string }>) {
        const list = deadLetters.get(row.channel) ?? [];
        list.push(JSON.parse(row.envelope) as DeadLetterEnvelope);
        deadLetters.set(row.channel, list);
      }
      return { messages, deadLetters, recoveredInFlight } satisfies PersistedQueues;
    },
    insert(channel, m) {
      insert.run(m.id, channel, m.seq, m.payload, JSON.stringify(m.attributes), m.groupId ?? null, m.enqueuedAt.getTime(), m.visibleAt, m.attempt, m.firstAttemptAt?.getTime() ?? null);
    },
    update(_channel, m) {
      update.run(m.visibleAt, m.attempt, m.firstAttemptAt?.getTime() ?? null, m.receipt === undefined ? 0 : 1, m.id);
    },
    remove(_channel, m) {
      remove.run(m.id);
    },
    deadLetter(channel, m, envelope) {
      deadLetter(channel, m.id, JSON.stringify(envelope));
    },
  };
}
