import type BetterSqlite3 from 'better-sqlite3';
import type { IdempotencyRecord, IdempotencyStore } from '../../src/index.js';

interface Row {
  state: 'pending' | 'done';
  owner: string;
  expires_at: number;
  value: string | null;
}

/**
 * `ctx.once` keys in the durable store's SQLite file: a claim is one immediate transaction,
 * so processes sharing the file agree on who runs a key.
 */
export function createDurableIdempotencyStore(db: BetterSqlite3.Database, options: { releasePending?: boolean } = {}): IdempotencyStore {
  // The folder's owner opens with releasePending: claims left in the file belong to a process
  // that died mid-body, so the next delivery runs the body again instead of waiting out the lease.
  if (options.releasePending) db.prepare("DELETE FROM idempotency WHERE state = 'pending'").run();
  const select = db.prepare('SELECT state, owner, expires_at, value FROM idempotency WHERE key = ?');
  const upsert = db.prepare(
    `INSERT INTO idempotency (key, state, owner, expires_at, value) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET state = excluded.state, owner = excluded.owner, expires_at = excluded.expires_at, value = excluded.value`,
  );
  const release = db.prepare('DELETE FROM idempotency WHERE key = ? AND owner = ?');
  const toRecord = (row: Row): IdempotencyRecord => ({
    state: row.state,
    owner: row.owner,
    expiresAt: row.expires_at,
    ...(row.value !== null ? { value: row.value } : {}),
  });
  const claim = db.transaction((key: string, owner: string, leaseUntil: number, now: number): IdempotencyRecord => {
    const row = select.get(key) as Row | undefined;
    if (row && row.expires_at > now) return toRecord(row);
    upsert.run(key, 'pending', owner, leaseUntil, null);
    return { state: 'pending', owner, expiresAt: leaseUntil };
  });
  const complete = db.transaction((key: string, owner: string, value: string | undefined, expiresAt: number) => {
    const row = select.get(key) as Row | undefined;
    // Someone else took the key over after our claim lapsed: theirs stands.
    if (row && row.owner !== owner && row.expires_at > Date.now()) return;
    upsert.run(key, 'done', owner, expiresAt, value ?? null);
  });
  return {
    claim: (key, owner, leaseUntil, now) => claim.immediate(key, owner, leaseUntil, now),
    complete: (key, owner, value, expiresAt) => complete.immediate(key, owner, value, expiresAt),
    release: (key, owner) => void release.run(key, owner),
  };
}
