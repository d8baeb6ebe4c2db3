/**
 * One SQLite file (WAL) holding every space: a compacted state per space plus an append-only log of
 * the updates since. Each update is appended synchronously as it is applied, before Hocuspocus
 * acknowledges it to the client, so an acknowledged edit survives even `kill -9`. Compaction merges
 * the log into the state inside one transaction; two server instances may share the file.
 */
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import type { RecordChange } from '../core/store/update-check.ts';

/** One accepted change to one record: who, when, what (before → after). */
export interface HistoryEntry {
  seq: number;
  space: string;
  person: string;
  at: string;
  collection: string;
  id: string;
  kind: RecordChange['kind'];
  fields?: string[];
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  /** For records that hang off an objective: that objective (the history is asked for by objective). */
  objectiveId?: string;
}

interface HistoryRow {
  seq: number;
  space: string;
  person: string;
  at: string;
  collection: string;
  record_id: string;
  kind: string;
  fields: string | null;
  before: string | null;
  after: string | null;
  objective_id: string | null;
  key_result_id: string | null;
}

export class SpaceStorage {
  private readonly db: Database.Database;
  private readonly stmt: {
    state: Database.Statement<[string], { state: Buffer }>;
    log: Database.Statement<[string], { seq: number; data: Buffer }>;
    append: Database.Statement<[string, Buffer]>;
    putState: Database.Statement<[string, Buffer, string]>;
    trim: Database.Statement<[string, number]>;
    spaces: Database.Statement<[], { space: string }>;
    getMeta: Database.Statement<[string], { value: string }>;
    putMeta: Database.Statement<[string, string]>;
    history: Database.Statement<[string, string, string, string, string, string, string | null, string | null, string | null, string | null, string | null]>;
    historyOf: Database.Statement<[string, string, number], HistoryRow>;
  };

  constructor(readonly path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a committed write survives a crash of this process (not of the OS).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS space_state (space TEXT PRIMARY KEY, state BLOB NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS space_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, space TEXT NOT NULL, data BLOB NOT NULL);
      CREATE INDEX IF NOT EXISTS space_log_space ON space_log (space, seq);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS history (seq INTEGER PRIMARY KEY AUTOINCREMENT, space TEXT NOT NULL, person TEXT NOT NULL, at TEXT NOT NULL,
        collection TEXT NOT NULL, record_id TEXT NOT NULL, kind TEXT NOT NULL, fields TEXT, before TEXT, after TEXT, objective_id TEXT, key_result_id TEXT);
      CREATE INDEX IF NOT EXISTS history_objective ON history (objective_id, seq);
      CREATE INDEX IF NOT EXISTS history_key_result ON history (key_result_id, seq);
    `);
    this.stmt = {
      state: this.db.prepare('SELECT state FROM space_state WHERE space = ?'),
      log: this.db.prepare('SELECT seq, data FROM space_log WHERE space = ? ORDER BY seq'),
      append: this.db.prepare('INSERT INTO space_log (space, data) VALUES (?, ?)'),
      putState: this.db.prepare(
        'INSERT INTO space_state (space, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(space) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
      ),
      trim: this.db.prepare('DELETE FROM space_log WHERE space = ? AND seq <= ?'),
      spaces: this.db.prepare('SELECT space FROM space_state UNION SELECT DISTINCT space FROM space_log'),
      getMeta: this.db.prepare('SELECT value FROM meta WHERE key = ?'),
      putMeta: this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      history: this.db.prepare(
        'INSERT INTO history (space, person, at, collection, record_id, kind, fields, before, after, objective_id, key_result_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      historyOf: this.db.prepare(
        "SELECT * FROM history WHERE (CASE ? WHEN 'objective' THEN objective_id ELSE key_result_id END) = ? AND seq > ? ORDER BY seq LIMIT 1000",
      ),
    };
  }

  /** Every update stored for a space (state first, then the log), to apply to an empty Y.Doc. */
  load(space: string): Uint8Array[] {
    const out: Uint8Array[] = [];
    const state = this.stmt.state.get(space);
    if (state) out.push(state.state);
    for (const row of this.stmt.log.all(space)) out.push(row.data);
    return out;
  }

  /** Applies everything stored for a space to a document. */
  loadInto(space: string, doc: Y.Doc, origin?: unknown): void {
    const updates = this.load(space);
    if (updates.length === 0) return;
    Y.applyUpdate(doc, updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates), origin);
  }

  /** Appends one update; returns after SQLite has committed it. */
  append(space: string, update: Uint8Array): void {
    this.stmt.append.run(space, Buffer.from(update.buffer, update.byteOffset, update.byteLength));
  }

  /**
   * Folds the log into the stored state, merged with `doc`'s state so nothing in either is lost
   * (another instance may have appended updates this one has not seen yet).
   */
  compact(space: string, doc?: Y.Doc): void {
    this.db
      .transaction(() => {
        const updates: Uint8Array[] = [];
        const state = this.stmt.state.get(space);
        if (state) updates.push(state.state);
        let last = 0;
        for (const row of this.stmt.log.all(space)) {
          updates.push(row.data);
          last = row.seq;
        }
        if (doc) updates.push(Y.encodeStateAsUpdate(doc));
        if (updates.length === 0) return;
        if (last === 0 && !doc) return;
        const merged = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
        this.stmt.putState.run(space, Buffer.from(merged), new Date().toISOString());
        if (last) this.stmt.trim.run(space, last);
      })
      .immediate();
  }

  /** Stores a whole space (seeding); merged with whatever is there. */
  seed(space: string, doc: Y.Doc): void {
    this.compact(space, doc);
  }

  /** Updates waiting in a space's log (0 right after compaction). */
  logLength(space: string): number {
    return this.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM space_log WHERE space = ?').get(space)!.n;
  }

  /**
   * Records who changed what: one row per record an accepted update added, changed or removed, with the
   * objective (and key result) it belongs to so `/v1/history?objective=` finds it. Written in the same
   * SQLite file, right after the update itself.
   */
  appendHistory(space: string, person: string, at: string, changes: readonly RecordChange[], resolve?: (change: RecordChange) => { objectiveId?: string; keyResultId?: string }): void {
    const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
    this.db.transaction(() => {
      for (const c of changes) {
        const record = (c.after ?? c.before ?? {}) as Record<string, unknown>;
        const found = resolve?.(c) ?? {};
        const objectiveId = found.objectiveId ?? (c.collection === 'objectives' ? c.id : typeof record.objectiveId === 'string' ? record.objectiveId : null);
        const keyResultId = found.keyResultId ?? (c.collection === 'keyResults' ? c.id : typeof record.keyResultId === 'string' ? record.keyResultId : null);
        this.stmt.history.run(space, person, at, c.collection, c.id, c.kind, json(c.fields), json(c.before), json(c.after), objectiveId ?? null, keyResultId ?? null);
      }
    })();
  }

  /** The changes to an objective (and what hangs off it) or to a key result, oldest first, after `afterSeq`. */
  history(kind: 'objective' | 'keyResult', id: string, afterSeq = 0): HistoryEntry[] {
    return this.stmt.historyOf.all(kind, id, afterSeq).map((r) => ({
      seq: r.seq,
      space: r.space,
      person: r.person,
      at: r.at,
      collection: r.collection,
      id: r.record_id,
      kind: r.kind as HistoryEntry['kind'],
      ...(r.fields ? { fields: JSON.parse(r.fields) as string[] } : {}),
      ...(r.before ? { before: JSON.parse(r.before) as Record<string, unknown> } : {}),
      ...(r.after ? { after: JSON.parse(r.after) as Record<string, unknown> } : {}),
      ...(r.objective_id ? { objectiveId: r.objective_id } : {}),
    }));
  }

  spaces(): string[] {
    return this.stmt.spaces.all().map((r) => r.space);
  }

  isEmpty(): boolean {
    return this.spaces().length === 0;
  }

  getMeta(key: string): string | undefined {
    return this.stmt.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmt.putMeta.run(key, value);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
