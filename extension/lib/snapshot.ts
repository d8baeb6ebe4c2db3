import type { CandorDocument } from '../../core/model/index.ts';
/** The stored materialised snapshot, for the first paint and the worker; null before first use. */
export async function readSnapshot(): Promise<CandorDocument | null> {
  return null;
}
