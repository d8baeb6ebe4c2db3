/**
 * Browser persistence: the only code that touches IndexedDB (through `idb`), in three parts —
 * `idb/schema.ts` (stores, rows, migrations), `idb/database.ts` (`CandorDatabase`, `openCandorDB`) and
 * `idb/local-store.ts` (loading a workspace, `LocalStore`).
 *
 * Database `candor`:
 * - `updates`   — every space's Yjs update log: `{ space, update, at, bytes }`, auto-increment keys
 *                 (so the log keeps its order), index `space`. Compacted per space into one merged update.
 * - `snapshots` — the materialised document per person, with its time, for an instant first paint.
 * - `meta`      — small key → value settings.
 * - `backups`   — copies of stored data taken before a migration that changes it.
 *
 * Rules kept here: nothing but IndexedDB requests is awaited inside a transaction (parsing,
 * materialising and merging happen before or synchronously); a write is reported saved only after
 * its transaction's `done`; a quota failure becomes a {@link CandorStorageError} and loses nothing
 * already stored (the failed batch stays queued in memory).
 */
export * from './idb/schema.ts';
export * from './idb/database.ts';
export * from './idb/local-store.ts';
