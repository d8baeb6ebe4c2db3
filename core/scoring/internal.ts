// Shared internals of one scoring run (not exported from the package).
import type { Cadence, CheckIn } from '../model/index.ts';

/** Everything a key result's verdict depends on beyond its own check-ins, resolved once per document. */
export interface CycleInfo {
  startMs: number;
  endMs: number;
  share: number;
  ended: boolean;
  anchor: string | undefined;
}

export interface Settings {
  atMs: number;
  thresholds: { atRisk: number; offTrack: number };
  caps: { atRisk: number; offTrack: number };
  graceMs: number;
  cadence: Cadence;
  timeZone: string;
}

export interface Rhythm {
  cadence: Cadence;
  timeZone: string;
  key: string;
  /** The due window last looked up for this rhythm, and the cycle it was for (most KRs of a person share one). */
  due: DueInfo | undefined;
  dueFor: CycleInfo | undefined;
}

export interface DueInfo {
  lastMs: number;
  nextIso: string;
}

export const NO_CYCLE: CycleInfo = { startMs: -Infinity, endMs: Infinity, share: 0, ended: false, anchor: undefined };

/**
 * The check-ins of one scoring run, shared by every verdict's lazy history: which key result each
 * belongs to, and (once a history is read) all of them grouped by key result in time order.
 */
export interface HistoryContext {
  checkIns: readonly CheckIn[];
  /** Per check-in: its key result's ordinal, or -1 when it takes no part. */
  owner: Int32Array;
  /** Per key result: 1 when its check-ins are out of time order in the document. */
  slow: Uint8Array;
  order: Int32Array | undefined;
  offsets: Int32Array | undefined;
}
