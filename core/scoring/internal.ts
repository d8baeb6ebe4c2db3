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

/** The check-ins of one scoring run, grouped by key result: shared by every verdict's lazy history. */
export interface HistoryContext {
  checkIns: readonly CheckIn[];
  order: Int32Array;
}
