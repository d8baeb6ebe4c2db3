/**
 * `Idempotency-Key` for the write API: a retried POST never makes two records. Kept per person in
 * SQLite (the server's own file, so a retry after a restart, or on another instance sharing the file,
 * is still recognised), at most `perPerson` keys each (the oldest dropped first), for `ttlSeconds`.
 * The same key with a different request is refused (422): the key names one request.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

export interface StoredResponse {
  status: number;
  body: string;
  location?: string;
}

export interface IdempotencyOptions {
  /** Keys kept per person. Default 1000. */
  perPerson?: number;
  /** How long a key is remembered. Default one day. */
  ttlSeconds?: number;
  now?: () => number;
}

/** What a key says about a request: nothing yet, the stored answer of the same request, or a different request. */
export type Recall = { kind: 'new' } | { kind: 'replay'; response: StoredResponse } | { kind: 'conflict'; route: string };

export const MAX_KEY_LENGTH = 255;
const KEY = /^[\x21-\x7e]{1,255}$/;

/** Whether a header value is usable as a key: 1–255 visible ASCII characters. */
export function validKey(key: string): boolean {
  return KEY.test(key);
}

/** The fingerprint of a request: method, route and the body as parsed JSON (so whitespace and key order do not matter). */
export function fingerprint(method: string, route: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${route}\n`).update(canonical(body)).digest('base64url');
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

export class IdempotencyStore {
  private readonly perPerson: number;
  private readonly ttl: number;
  private readonly now: () => number;
  private prunedAt = 0;
  private readonly stmt;

  constructor(
    private readonly db: Database.Database,
    options: IdempotencyOptions = {},
  ) {
    this.perPerson = options.perPerson ?? 1000;
    this.ttl = (options.ttlSeconds ?? 86_400) * 1000;
    this.now = options.now ?? Date.now;
    db.exec(`CREATE TABLE IF NOT EXISTS api_idempotency (person TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, route TEXT NOT NULL,
      status INTEGER NOT NULL, body TEXT NOT NULL, location TEXT, created_at INTEGER NOT NULL, PRIMARY KEY (person, key));
      CREATE INDEX IF NOT EXISTS api_idempotency_age ON api_idempotency (person, created_at);`);
    this.stmt = {
      get: db.prepare<[string, string], { fingerprint: string; route: string; status: number; body: string; location: string | null; created_at: number }>(
        'SELECT fingerprint, route, status, body, location, created_at FROM api_idempotency WHERE person = ? AND key = ?',
      ),
      put: db.prepare<[string, string, string, string, number, string, string | null, number]>(
        'INSERT OR REPLACE INTO api_idempotency (person, key, fingerprint, route, status, body, location, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      count: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM api_idempotency WHERE person = ?'),
      trim: db.prepare<[string, string, number]>(
        'DELETE FROM api_idempotency WHERE person = ? AND key IN (SELECT key FROM api_idempotency WHERE person = ? ORDER BY created_at LIMIT ?)',
      ),
      expire: db.prepare<[number]>('DELETE FROM api_idempotency WHERE created_at < ?'),
    };
  }

  /** What this person's key says about a request with this fingerprint. */
  recall(person: string, key: string, print: string): Recall {
    const row = this.stmt.get.get(person, key);
    if (!row || row.created_at < this.now() - this.ttl) return { kind: 'new' };
    if (row.fingerprint !== print) return { kind: 'conflict', route: row.route };
    return { kind: 'replay', response: { status: row.status, body: row.body, ...(row.location ? { location: row.location } : {}) } };
  }

  /** Remembers the answer to a request; keeps at most `perPerson` keys for the person. */
  remember(person: string, key: string, print: string, route: string, response: StoredResponse): void {
    const now = this.now();
    this.stmt.put.run(person, key, print, route, response.status, response.body, response.location ?? null, now);
    const n = this.stmt.count.get(person)!.n;
    if (n > this.perPerson) this.stmt.trim.run(person, person, n - this.perPerson);
    if (now - this.prunedAt > 60_000) {
      this.prunedAt = now;
      this.stmt.expire.run(now - this.ttl);
    }
  }

  /** Keys kept for a person (tests). */
  count(person: string): number {
    return this.stmt.count.get(person)!.n;
  }
}
