import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FaasportError, type DeadLetterEnvelope, type IdempotencyStore } from 'faasport';
import { createDurableIdempotencyStore } from './durable-idempotency-store.js';
import { inspectWal } from './inspect-wal.js';
import type { PersistedQueues, QueueStore, StoredMessage, UndecodableRow } from './queue-engine.js';
import { immediate, openSqlite, sqliteCode, type SqliteDatabase, type SqliteDriverName } from './sqlite-driver.js';

/** What `faasport dev --persist <dir>` keeps in `<dir>`: queues, dead letters and `ctx.once` keys. */
export interface DurableStore {
  /** The SQLite file. */
  readonly path: string;
  /** Which SQLite opened it: Node's own `node:sqlite`, or the better-sqlite3 package. */
  readonly driver: SqliteDriverName;
  readonly queues: QueueStore;
  readonly idempotency: IdempotencyStore;
  /** Releases the folder for another process. */
  close(): void;
}

export interface DurableStoreOptions {
  /**
   * Largest size of the SQLite file, bytes (`faasport dev --persist-max-mb`). Past it, sends are
   * refused with STORE_FULL, as on a full disk; what is stored stays deliverable.
   */
  readonly maxBytes?: number;
  /** Force one SQLite driver (default: node:sqlite when Node has it, else better-sqlite3). */
  readonly driver?: SqliteDriverName;
}

export const DURABLE_FILE = 'faasport.sqlite';
/**
 * Written beside the SQLite file once it holds a store: the store's id, and whether its last
 * run closed it. SQLite cannot tell an emptied or deleted file (or a deleted WAL) from a new
 * one; this file can, as long as it is not deleted with them.
 */
export const MARKER_FILE = 'faasport-store.json';
/** Files this process has open: a second runtime on one folder would deliver every message twice. */
const openHere = new Set<string>();
const SCHEMA_VERSION = 1;
const TABLES = ['messages', 'dead_letters', 'idempotency', 'meta'];

interface Marker {
  readonly store: string;
  readonly createdAt: string;
  /** True from open to a clean close: after a kill, the WAL holds the latest writes. */
  readonly open: boolean;
  /** The process that has it open. */
  readonly pid?: number;
}

interface MessageRow {
  rowid: unknown;
  id: unknown;
  channel: string;
  seq: unknown;
  payload: unknown;
  attributes: unknown;
  group_id: unknown;
  enqueued_at: unknown;
  visible_at: unknown;
  attempt: unknown;
  first_attempt_at: unknown;
}

/**
 * Opens (or creates) the durable store in `dir`. SQLite loads here, on first use, so
 * `faasport dev` without `--persist` never loads it. Writes use SQLite's WAL journal: each
 * one is on disk before the call returns, so a killed process loses nothing it acknowledged.
 * One process owns a folder at a time. A file that is damaged, emptied or missing its WAL is
 * refused with STORE_DAMAGED naming the file and a next step that keeps every row; it is never
 * opened as an empty store.
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
export function openDurableStore(dir: string, options: DurableStoreOptions = {}): DurableStore {
  const folder = resolve(dir);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (err) {
    throw new FaasportError('CONFIG_INVALID', `--persist ${dir}: cannot create the folder (${(err as Error).message}); pass a writable folder`, { cause: err });
  }
  const path = join(folder, DURABLE_FILE);
  if (openHere.has(path)) {
    throw new FaasportError(
      'CONFIG_INVALID',
      `--persist ${dir}: this process already runs a local runtime on this folder; stop it first or pass another folder`,
    );
  }
  const markerPath = join(folder, MARKER_FILE);
  const marker = readMarker(markerPath, dir);
  // A live owner's files are in use (its WAL may be mid-write): claimFolder refuses it below.
  const owned = marker?.open === true && marker.pid !== undefined && marker.pid !== process.pid && isAlive(marker.pid);
  if (!owned) checkFiles(dir, path, marker);
  const driverName = options.driver ?? driverFromEnv();
  const createdAt = marker?.createdAt ?? new Date().toISOString();
  let db: SqliteDatabase | undefined;
  let store: string;
  let idempotency: IdempotencyStore;
  try {
    db = openSqlite(path, driverName);
    db.exec('PRAGMA busy_timeout = 5000');
    db.prepare('PRAGMA journal_mode = WAL').get();
    db.exec('PRAGMA synchronous = NORMAL');
    checkPages(db, dir, path);
    migrate(db, dir, path, marker !== undefined);
    store = storeId(db, dir, path, marker);
    claimFolder(db, dir);
    idempotency = createDurableIdempotencyStore(db, { releasePending: true });
    if (options.maxBytes !== undefined) {
      const pageSize = (db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size;
      db.prepare(`PRAGMA max_page_count = ${Math.max(1, Math.floor(options.maxBytes / pageSize))}`).get();
    }
    writeMarker(markerPath, { store, createdAt, open: true, pid: process.pid });
  } catch (err) {
    try {
      db?.close();
    } catch {
      /* already closed */
    }
    if (err instanceof FaasportError) throw err;
    if (isDamage(err)) {
      const reason = sqliteCode(err) === 'SQLITE_NOTADB' ? 'not-a-database' : 'pages';
      throw damaged(dir, path, `is damaged: SQLite reports "${(err as Error).message}"`, err, { reason });
    }
    throw new FaasportError(
      'CONFIG_INVALID',
      `--persist ${dir}: cannot open ${path} (${(err as Error).message}); check the folder's permissions and free space, or pass another folder`,
      {
        cause: err,
      },
    );
  }
  const opened = db;
  let open = true;
  openHere.add(path);
  return {
    path,
    driver: opened.driver,
    queues: createQueueStore(opened, dir, path),
    idempotency,
    close() {
      if (!open) return;
      open = false;
      openHere.delete(path);
      try {
        opened.prepare("DELETE FROM meta WHERE key = 'owner_pid' AND value = ?").run(String(process.pid));
      } catch {
        /* a full disk: the next owner checks whether this pid lives */
      }
      try {
        // "Closed" is written first: closing the last connection checkpoints the WAL into the file
        // and removes it, and a kill between the two must not leave "open" with no WAL.
        writeMarker(markerPath, { store, createdAt, open: false });
      } catch {
        /* a full disk: a marker left "open" makes the next start refuse the store, never lose it */
      }
      opened.close();
    },
  };
}

function driverFromEnv(): SqliteDriverName | undefined {
  const v = process.env.FAASPORT_SQLITE_DRIVER;
  return v === 'node:sqlite' || v === 'better-sqlite3' ? v : undefined;
}

/** The advice every damage error ends with: nothing in it deletes a row. */
function nextStep(dir: string): string {
  const aside = `${dir.replace(/\/+$/, '')}.damaged`;
  return (
    `Nothing was changed. Stop faasport, move the whole folder aside (mv ${dir} ${aside}), and start again with an empty --persist folder; ` +
    `what SQLite can still read is printed as SQL by "sqlite3 ${join(aside, DURABLE_FILE)} .recover" (or ".dump")`
  );
}

function damaged(dir: string, path: string, what: string, cause?: unknown, details: Record<string, unknown> = {}): FaasportError {
  return new FaasportError('STORE_DAMAGED', `--persist ${dir}: ${path} ${what}. ${nextStep(dir)}`, {
    ...(cause !== undefined ? { cause } : {}),
    status: 503,
    details: { path, ...details },
  });
}

function isDamage(err: unknown): boolean {
  const code = sqliteCode(err);
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB';
}

function readMarker(markerPath: string, dir: string): Marker | undefined {
  if (!existsSync(markerPath)) return undefined;
  try {
    const m = JSON.parse(readFileSync(markerPath, 'utf8')) as Marker;
    if (typeof m.store === 'string' && typeof m.open === 'boolean' && typeof m.createdAt === 'string') return m;
  } catch {
    /* reported below */
  }
  throw new FaasportError(
    'STORE_DAMAGED',
    `--persist ${dir}: ${markerPath} is not faasport's store marker (it records the store's id and whether its last run closed it). Nothing was changed. Move the folder aside and start with an empty one, or restore the file`,
    { status: 503, details: { path: markerPath } },
  );
}

/** Atomic: a kill leaves the old marker or the new one, never half of one. */
function writeMarker(markerPath: string, marker: Marker): void {
  const tmp = `${markerPath}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, `${JSON.stringify(marker)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, markerPath);
}

/** What the files on disk say, before SQLite reads them (SQLite's own recovery would hide it). */
function checkFiles(dir: string, path: string, marker: Marker | undefined): void {
  const size = existsSync(path) ? statSync(path).size : undefined;
  if (marker) {
    const since = `the folder held a store (created ${marker.createdAt}, id ${marker.store}, see ${MARKER_FILE})`;
    if (size === undefined) throw damaged(dir, path, `is missing, but ${since}`, undefined, { reason: 'missing' });
    if (size === 0) throw damaged(dir, path, `is empty (0 bytes), but ${since}`, undefined, { reason: 'empty' });
  }
  const wal = `${path}-wal`;
  const walSize = existsSync(wal) ? statSync(wal).size : undefined;
  // A run that did not close the store (killed, crashed) leaves its latest writes in the WAL.
  if (marker?.open && size !== undefined && (walSize === undefined || walSize === 0)) {
    throw damaged(
      dir,
      path,
      `has no write-ahead log (${wal} is ${walSize === undefined ? 'missing' : 'empty'}), but its last run stopped without closing the store, so the log held its latest acknowledged writes`,
      undefined,
      { reason: 'wal-missing' },
    );
  }
  if (walSize !== undefined && walSize > 0) {
    const report = inspectWal(wal);
    if (report.headerDamaged) {
      throw damaged(dir, path, `has a write-ahead log (${wal}) whose header is damaged: SQLite would ignore all ${report.bytes} bytes of it`, undefined, {
        reason: 'wal-header',
      });
    }
    if (report.damagedFrame !== undefined) {
      throw damaged(
        dir,
        path,
        `has a damaged write-ahead log: frame ${report.damagedFrame} of ${wal} fails its checksum, and SQLite would silently drop it and the ${report.commitsDropped} commit(s) after it`,
        undefined,
        { reason: 'wal-frame', frame: report.damagedFrame, commitsDropped: report.commitsDropped },
      );
    }
  }
}

function checkPages(db: SqliteDatabase, dir: string, path: string): void {
  const rows = db.prepare('PRAGMA quick_check(5)').all() as Record<string, string>[];
  const problems = rows.map((r) => Object.values(r)[0]).filter((v) => v !== 'ok');
  if (problems.length > 0) throw damaged(dir, path, `is damaged (SQLite's quick_check: ${problems.join('; ')})`, undefined, { reason: 'pages', problems });
}

function migrate(db: SqliteDatabase, dir: string, path: string, hadStore: boolean): void {
  const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  if (version > SCHEMA_VERSION) {
    throw new FaasportError('CONFIG_INVALID', `${path} was written by a newer faasport (schema ${version}); upgrade faasport or use another folder`);
  }
  if (version === SCHEMA_VERSION) {
    const present = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    const missing = TABLES.filter((t) => !present.has(t));
    if (missing.length > 0) {
      throw damaged(dir, path, `has lost table(s) ${missing.join(', ')} (changed outside faasport)`, undefined, { reason: 'tables', missing });
    }
    return;
  }
  if (hadStore) throw damaged(dir, path, `holds no faasport store, but ${MARKER_FILE} says this folder had one`, undefined, { reason: 'replaced' });
  immediate(db, () =>
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
  `),
  );
}

/** The store's id, in the file and in the marker: a marker that names another id means the file was swapped. */
function storeId(db: SqliteDatabase, dir: string, path: string, marker: Marker | undefined): string {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'store_id'").get() as { value: string } | undefined;
  if (marker) {
    if (row?.value !== marker.store) {
      throw damaged(dir, path, `is not the store ${MARKER_FILE} names (${marker.store}; the file holds ${row ? row.value : 'no id'})`, undefined, {
        reason: 'replaced',
      });
    }
    return marker.store;
  }
  // A new store, or one made before the marker existed: it gets an id now.
  if (row) return row.value;
  const id = randomUUID();
  db.prepare("INSERT INTO meta (key, value) VALUES ('store_id', ?)").run(id);
  return id;
}

/** Records this process as the folder's owner, unless a live process already is. */
function claimFolder(db: SqliteDatabase, dir: string): void {
  immediate(db, () => {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'owner_pid'").get() as { value: string } | undefined;
    const pid = row ? Number(row.value) : undefined;
    if (pid !== undefined && pid !== process.pid && isAlive(pid)) {
      throw new FaasportError('CONFIG_INVALID', `--persist ${dir}: process ${pid} is using this folder; stop it or pass another folder`, {
        details: { pid },
      });
    }
    db.prepare("INSERT INTO meta (key, value) VALUES ('owner_pid', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(process.pid));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A failed write as a typed error: a full disk (or --persist-max-mb reached) is STORE_FULL
 * (HTTP 507), anything else STORE_UNAVAILABLE (503). The write was rolled back: nothing
 * stored before it changes.
 */
function writeFailed(dir: string, path: string, operation: string, err: unknown): FaasportError {
  const code = sqliteCode(err);
  const reason = (err as Error)?.message ?? String(err);
  if (code === 'SQLITE_FULL') {
    return new FaasportError(
      'STORE_FULL',
      `--persist ${dir}: ${operation} refused, ${path} cannot grow (${reason}); free disk space or raise --persist-max-mb. Everything accepted before is kept and still delivered`,
      { cause: err, status: 507, details: { path } },
    );
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') return damaged(dir, path, `was damaged while faasport ran (${operation}: ${reason})`, err);
  return new FaasportError(
    'STORE_UNAVAILABLE',
    `--persist ${dir}: ${operation} failed, ${path} could not be written (${reason}); check the disk and the folder's permissions`,
    {
      cause: err,
      status: 503,
      details: { path },
    },
  );
}

function createQueueStore(db: SqliteDatabase, dir: string, path: string): QueueStore {
  const insert = db.prepare(
    `INSERT INTO messages (id, channel, seq, payload, attributes, group_id, enqueued_at, visible_at, attempt, first_attempt_at, leased)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
  );
  const update = db.prepare('UPDATE messages SET visible_at = ?, attempt = ?, first_attempt_at = ?, leased = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM messages WHERE id = ?');
  const removeRow = db.prepare('DELETE FROM messages WHERE rowid = ?');
  const keepDeadLetter = db.prepare('INSERT INTO dead_letters (channel, message_id, envelope) VALUES (?, ?, ?)');
  const dropDeadLetter = db.prepare('DELETE FROM dead_letters WHERE channel = ? AND message_id = ?');
  const dropDeadLetters = db.prepare('DELETE FROM dead_letters WHERE channel = ?');
  const insertMessage = (channel: string, m: StoredMessage): void => {
    insert.run(
      m.id,
      channel,
      m.seq,
      m.payload,
      JSON.stringify(m.attributes),
      m.groupId ?? null,
      m.enqueuedAt.getTime(),
      m.visibleAt,
      m.attempt,
      m.firstAttemptAt?.getTime() ?? null,
    );
  };
  const guard = <T>(operation: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw writeFailed(dir, path, operation, err);
    }
  };
  /** Inside `batch`, its transaction holds the writes; outside, each group of writes is its own. */
  let batching = false;
  const atomically = <T>(fn: () => T): T => (batching ? fn() : immediate(db, fn));
  return {
    load(now) {
      // Leases of a stopped process are void: those deliveries counted, the messages are due again.
      const counts = guard('recovering leases', () =>
        immediate(db, () => {
          const c = db.prepare('SELECT channel, count(*) AS n FROM messages WHERE leased = 1 GROUP BY channel').all() as { channel: string; n: number }[];
          db.prepare('UPDATE messages SET leased = 0, visible_at = min(visible_at, ?) WHERE leased = 1').run(now);
          return c;
        }),
      );
      const messages = new Map<string, StoredMessage[]>();
      const undecodable = new Map<string, UndecodableRow[]>();
      const add = <T>(map: Map<string, T[]>, key: string, value: T) => {
        const list = map.get(key);
        if (list) list.push(value);
        else map.set(key, [value]);
      };
      for (const row of db.prepare('SELECT rowid, * FROM messages ORDER BY seq').all() as MessageRow[]) {
        const decoded = decodeMessageRow(row);
        if (typeof decoded === 'string') add(undecodable, row.channel, { kind: 'message', rowid: Number(row.rowid), problem: decoded, raw: rawFields(row) });
        else add(messages, row.channel, decoded);
      }
      const deadLetters = new Map<string, DeadLetterEnvelope[]>();
      for (const row of db.prepare('SELECT seq, channel, envelope FROM dead_letters ORDER BY seq').all() as {
        seq: number;
        channel: string;
        envelope: unknown;
      }[]) {
        const envelope = decodeEnvelope(row.envelope);
        if (typeof envelope === 'string') {
          add(undecodable, row.channel, {
            kind: 'dead-letter',
            rowid: row.seq,
            problem: envelope,
            raw: { id: `dead-letter-${row.seq}`, payload: String(row.envelope) },
          });
        } else add(deadLetters, row.channel, envelope);
      }
      return { messages, deadLetters, recoveredInFlight: new Map(counts.map((c) => [c.channel, c.n])), undecodable } satisfies PersistedQueues;
    },
    insert(entries) {
      guard(entries.length === 1 ? 'send' : `send of ${entries.length} messages`, () =>
        atomically(() => {
          for (const [channel, m] of entries) insertMessage(channel, m);
        }),
      );
    },
    update(_channel, m) {
      guard('recording a delivery', () => update.run(m.visibleAt, m.attempt, m.firstAttemptAt?.getTime() ?? null, m.receipt === undefined ? 0 : 1, m.id));
    },
    remove(_channel, m) {
      guard('removing a handled message', () => remove.run(m.id));
    },
    deadLetter(channel, m, envelope) {
      guard('dead-lettering', () =>
        atomically(() => {
          remove.run(m.id);
          keepDeadLetter.run(channel, m.id, JSON.stringify(envelope));
        }),
      );
    },
    redrive(channel, messages) {
      guard('redriving dead letters', () =>
        atomically(() => {
          for (const m of messages) {
            dropDeadLetter.run(channel, m.id);
            insertMessage(channel, m);
          }
        }),
      );
    },
    purge(_channel, messages) {
      guard('purging a queue', () => atomically(() => messages.forEach((m) => remove.run(m.id))));
    },
    purgeDeadLetters(channel) {
      guard('purging dead letters', () => dropDeadLetters.run(channel));
    },
    batch(fn) {
      if (batching) return fn();
      batching = true;
      try {
        immediate(db, fn);
      } catch (err) {
        // A write inside already named its operation; COMMIT failing is named here.
        throw err instanceof FaasportError ? err : writeFailed(dir, path, 'writing deliveries', err);
      } finally {
        batching = false;
      }
    },
    deadLetterUndecodable(channel, row, envelope) {
      guard('dead-lettering an undecodable message', () =>
        atomically(() => {
          removeRow.run(row.rowid);
          keepDeadLetter.run(channel, envelope.message.id, JSON.stringify(envelope));
        }),
      );
    },
  };
}

/** A row as `send` wrote it, or what is wrong with it. */
function decodeMessageRow(row: MessageRow): StoredMessage | string {
  if (typeof row.id !== 'string' || row.id === '') return 'id is not a string';
  if (typeof row.payload !== 'string') return 'payload is not text';
  if (!Number.isSafeInteger(row.seq)) return 'seq is not an integer';
  if (!Number.isFinite(row.enqueued_at)) return 'enqueued_at is not a time';
  if (!Number.isFinite(row.visible_at)) return 'visible_at is not a time';
  if (!Number.isSafeInteger(row.attempt) || (row.attempt as number) < 0) return 'attempt is not a count';
  if (row.first_attempt_at !== null && !Number.isFinite(row.first_attempt_at)) return 'first_attempt_at is not a time';
  if (row.group_id !== null && typeof row.group_id !== 'string') return 'group_id is not text';
  let attributes: unknown;
  try {
    attributes = JSON.parse(String(row.attributes));
  } catch (err) {
    return `attributes are not JSON (${(err as Error).message.slice(0, 80)})`;
  }
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes) || Object.values(attributes).some((v) => typeof v !== 'string')) {
    return 'attributes are not an object of strings';
  }
  return {
    id: row.id,
    seq: row.seq as number,
    payload: row.payload,
    attributes: attributes as Record<string, string>,
    groupId: (row.group_id as string | null) ?? undefined,
    enqueuedAt: new Date(row.enqueued_at as number),
    visibleAt: row.visible_at as number,
    attempt: row.attempt as number,
    firstAttemptAt: row.first_attempt_at === null ? undefined : new Date(row.first_attempt_at as number),
    receipt: undefined,
  };
}

function rawFields(row: MessageRow): UndecodableRow['raw'] {
  return {
    id: typeof row.id === 'string' && row.id !== '' ? row.id : `row-${String(row.rowid)}`,
    payload: typeof row.payload === 'string' ? row.payload : String(row.payload),
    ...(Number.isFinite(row.enqueued_at) ? { enqueuedAt: row.enqueued_at as number } : {}),
    ...(Number.isSafeInteger(row.attempt) ? { attempt: row.attempt as number } : {}),
  };
}

function decodeEnvelope(text: unknown): DeadLetterEnvelope | string {
  let value: unknown;
  try {
    value = JSON.parse(String(text));
  } catch (err) {
    return `the envelope is not JSON (${(err as Error).message.slice(0, 80)})`;
  }
  const e = value as Partial<DeadLetterEnvelope> | null;
  if (typeof e !== 'object' || e === null || typeof e.message !== 'object' || e.message === null || typeof e.message.id !== 'string') {
    return 'the envelope is not a dead-letter envelope';
  }
  return e as DeadLetterEnvelope;
}
