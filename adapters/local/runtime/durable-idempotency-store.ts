import type { IdempotencyRecord, IdempotencyStore } from 'faasport';
import { immediate, type SqliteDatabase } from './sqlite-driver.js';

interface Row {
  state: unknown;
  owner: unknown;
  expires_at: unknown;
  value: unknown;
}

/**
 * `ctx.once` keys in the durable store's SQLite file: a claim is one immediate transaction,
 * so processes sharing the file agree on who runs a key.
 */
export function createDurableIdempotencyStore(db: SqliteDatabase, options: { releasePending?: boolean } = {}): IdempotencyStore {
  // The folder's owner opens with releasePending: claims left in the file belong to a process
  // that died mid-body, so the next delivery runs the body again instead of waiting out the lease.
  if (options.releasePending) db.prepare("DELETE FROM idempotency WHERE state = 'pending'").run();
  const select = db.prepare('SELECT state, owner, expires_at, value FROM idempotency WHERE key = ?');
  const upsert = db.prepare(
    `INSERT INTO idempotency (key, state, owner, expires_at, value) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET state = excluded.state, owner = excluded.owner, expires_at = excluded.expires_at, value = excluded.value`,
  );
  const release = db.prepare('DELETE FROM idempotency WHERE key = ? AND owner = ?');
  // A row damaged outside faasport reads as no claim: the body runs again (at-least-once), never a crash.
  const read = (key: string): IdempotencyRecord | undefined => {
    const row = select.get(key) as Row | undefined;
    if (!row || (row.state !== 'pending' && row.state !== 'done') || typeof row.owner !== 'string' || typeof row.expires_at !== 'number') return undefined;
    return { state: row.state, owner: row.owner, expiresAt: row.expires_at, ...(typeof row.value === 'string' ? { value: row.value } : {}) };
  };
  return {
    claim: (key, owner, leaseUntil, now) =>
      immediate(db, () => {
        const record = read(key);
        if (record && record.expiresAt > now) return record;
        upsert.run(key, 'pending', owner, leaseUntil, null);
        return { state: 'pending', owner, expiresAt: leaseUntil };
      }),
    complete: (key, owner, value, expiresAt) =>
      immediate(db, () => {
        const record = read(key);
        // Someone else took the key over after our claim lapsed: theirs stands.
        if (record && record.owner !== owner && record.expiresAt > Date.now()) return;
        upsert.run(key, 'done', owner, expiresAt, value ?? null);
      }),
    release: (key, owner) => void release.run(key, owner),
  };
}
