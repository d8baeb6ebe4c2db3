/**
 * Local storage failed. `kind` says why: `quota` (the browser refused to store more: nothing already
 * saved was lost, and exporting the workspace keeps the unsaved change safe), `blocked` (another tab
 * holds an older version of the database open), `closed` (the database was closed under us, e.g. by
 * an upgrade in another tab or the browser), or `failed`.
 */
export class CandorStorageError extends Error {
  override name = 'CandorStorageError';
  constructor(
    message: string,
    readonly kind: 'quota' | 'blocked' | 'closed' | 'failed' = 'failed',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const QUOTA_MESSAGE =
  'Your browser has no room left to save Candor data. Nothing already saved was lost, and this change is kept in memory. ' +
  'Export your workspace now (Options → Import and export → Export) and free some disk space or site data, then try again.';

/** Whether an error (a DOMException or anything carrying its name) is the browser's quota error. */
export function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

/** Maps an IndexedDB failure to a {@link CandorStorageError} with a message a person can act on. */
export function toStorageError(e: unknown, doing: string): CandorStorageError {
  if (e instanceof CandorStorageError) return e;
  if (isQuotaError(e)) return new CandorStorageError(QUOTA_MESSAGE, 'quota', { cause: e });
  const name = (e as { name?: string } | null)?.name;
  if (name === 'InvalidStateError') return new CandorStorageError(`Could not ${doing}: the local database was closed (another tab may have upgraded Candor). Reload this page.`, 'closed', { cause: e });
  const detail = (e as { message?: string } | null)?.message ?? String(e);
  return new CandorStorageError(`Could not ${doing}: ${detail}`, 'failed', { cause: e });
}
