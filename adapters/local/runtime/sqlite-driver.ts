import { createRequire } from 'node:module';
import { FaasportError } from 'faasport';

export type SqlValue = string | number | bigint | null;

/** The part of a prepared statement the durable store uses; node:sqlite and better-sqlite3 both have it. */
export interface SqliteStatement {
  run(...params: SqlValue[]): { changes: number | bigint };
  get(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
}

/** One SQLite connection, whichever driver opened it. */
export interface SqliteDatabase {
  readonly driver: SqliteDriverName;
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  close(): void;
}

export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3';

type Open = (path: string) => SqliteDatabase;

/**
 * Opens `path` with the SQLite that ships in Node (`node:sqlite`, unflagged from Node 22.13)
 * when the running Node has it, else with better-sqlite3 when it is installed. Neither loads
 * before the first call, so `faasport dev` without `--persist` never loads SQLite at all.
 * `prefer` picks one driver (`FAASPORT_SQLITE_DRIVER` does the same for `faasport dev`).
 */
export function openSqlite(path: string, prefer?: SqliteDriverName): SqliteDatabase {
  return loadDriver(prefer)(path);
}

function loadDriver(prefer: SqliteDriverName | undefined): Open {
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const name of prefer ? [prefer] : (['node:sqlite', 'better-sqlite3'] as const)) {
    try {
      return name === 'node:sqlite'
        ? nodeSqlite(quietly(() => require('node:sqlite') as NodeSqliteModule))
        : betterSqlite(require('better-sqlite3') as BetterSqliteModule);
    } catch (err) {
      failures.push(`${name}: ${((err as Error).message ?? String(err)).split('\n')[0]}`);
    }
  }
  throw new FaasportError(
    'CONFIG_INVALID',
    `--persist needs SQLite: this Node (${process.version}) has no node:sqlite (Node 22.13 or later has it) and the better-sqlite3 package did not load (${failures.join('; ')}); run "npm install better-sqlite3", use Node 22.13 or later, or drop --persist`,
    { details: { node: process.version } },
  );
}

/**
 * Loads node:sqlite without its one-time "SQLite is an experimental feature" warning: the dev
 * server's stderr is for the user's own problems, and faasport chose this module knowingly.
 */
function quietly<T>(load: () => T): T {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (!/SQLite is an experimental feature/.test(text)) (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return load();
  } finally {
    process.emitWarning = emit;
  }
}

interface NodeSqliteModule {
  DatabaseSync: new (path: string) => { exec(sql: string): void; prepare(sql: string): SqliteStatement; close(): void };
}

function nodeSqlite(mod: NodeSqliteModule): Open {
  return (path) => {
    const db = new mod.DatabaseSync(path);
    return { driver: 'node:sqlite', exec: (sql) => db.exec(sql), prepare: (sql) => db.prepare(sql), close: () => db.close() };
  };
}

type BetterSqliteModule = new (path: string) => {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  close(): void;
};

function betterSqlite(Database: BetterSqliteModule): Open {
  return (path) => {
    const db = new Database(path);
    return {
      driver: 'better-sqlite3',
      exec: (sql) => void db.exec(sql),
      prepare: (sql) => db.prepare(sql),
      close: () => db.close(),
    };
  };
}

/**
 * Runs `fn` in one `BEGIN IMMEDIATE` transaction: the write lock is taken first, so two
 * processes on one file never both read-then-write. A throw rolls everything back.
 */
export function immediate<T>(db: SqliteDatabase, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  let result: T;
  try {
    result = fn();
    db.exec('COMMIT');
  } catch (err) {
    // SQLite may already have rolled back (a full disk does that); a second rollback is an error to ignore.
    try {
      db.exec('ROLLBACK');
    } catch {
      /* no transaction left */
    }
    throw err;
  }
  return result;
}

/** SQLite's primary result code of a driver error (`SQLITE_FULL`, `SQLITE_CORRUPT`, ...), or undefined. */
export function sqliteCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errcode?: unknown; errstr?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_')) return PRIMARY.find((p) => e.code === p || (e.code as string).startsWith(`${p}_`));
  // node:sqlite: code ERR_SQLITE_ERROR, errcode = the (extended) result code.
  if (typeof e?.errcode === 'number') return RESULT_CODES[e.errcode & 0xff];
  return undefined;
}

const RESULT_CODES: Record<number, string> = {
  5: 'SQLITE_BUSY',
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  26: 'SQLITE_NOTADB',
};
const PRIMARY = Object.values(RESULT_CODES);
