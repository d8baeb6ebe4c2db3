import type { CheckIn } from '../model/index.ts';
import type { HistoryContext } from './internal.ts';
import { DAY_MS, parseInstantInto } from './time.ts';

/** How the aggregating pass reads a key result's check-ins (by metric kind). */
export const KIND_NONE = 0; // unknown kind or no objective: only time and count
export const KIND_NUMERIC = 1; // increase / decrease: latest value, least-squares sums in the cycle
export const KIND_ABOVE = 2; // maintain-above: latest value, held / counted in the cycle
export const KIND_BELOW = 3; // maintain-below
export const KIND_MILESTONES = 4; // latest check-in with milestonesDone
export const KIND_BOOLEAN = 5; // latest check-in with done

/** Per key result, what the pass needs to know before it starts (filled by the caller). */
export interface KeyResultPlan {
  kind: Uint8Array;
  /** The cycle's [start, end) of the key result's objective; a non-finite start sends it to the sorted path. */
  start: Float64Array;
  end: Float64Array;
  threshold: Float64Array;
}

/** Layout of {@link Aggregates.acc}: one cache line of numbers per key result. */
export const STRIDE = 8;
export const A_LAST = 0, A_COUNT = 1, A_N = 2, A_SX = 3, A_SY = 4, A_SXX = 5, A_SXY = 6, A_CURRENT = 7;

export interface Aggregates {
  /** Per check-in: its key result's ordinal, or -1 (unknown key result, after `at`, unreadable time). Owned by the run (lazy histories read it). */
  owner: Int32Array;
  /** Per key result, {@link STRIDE} numbers: latest time, check-ins, readings in the cycle, Σx, Σy (maintain: held), Σx², Σxy, latest reading (NaN: none). */
  acc: Float64Array;
  /** Per key result: its latest check-in (document index; -1 none). */
  lastIdx: Int32Array;
  /** Per key result: its latest check-in with `milestonesDone` / `done` (-1 none). */
  readingIdx: Int32Array;
  /** Per key result: 1 when its check-ins are not in time order in the document (or its cycle has no finite start): score it from a sorted slice. */
  slow: Uint8Array;
  slowCount: number;
  /** Per check-in (scratch, reused across runs): instant and numeric reading (NaN: none). */
  times: Float64Array;
  values: Float64Array;
}

let scratchTimes = new Float64Array(0);
let scratchValues = new Float64Array(0);

/**
 * One sequential pass over the check-ins that resolves each one's key result, parses its time once
 * and folds it into its key result's aggregates — no per-key-result arrays, no sort. A key result
 * whose check-ins turn out not to be in time order is flagged `slow`; {@link groupSlow} then gives
 * its check-ins sorted, and it is scored as before. Check-ins after `atMs` are ignored.
 * Scratch arrays are reused across calls: allocating megabytes of typed arrays on every run invites
 * garbage collections that cost more than the scoring itself.
 */
export function aggregateCheckIns(checkIns: readonly CheckIn[], krIndex: Map<string, number>, plan: KeyResultPlan, atMs: number): Aggregates {
  const n = checkIns.length;
  const krCount = plan.kind.length;
  if (scratchTimes.length < n) {
    const size = Math.max(1024, Math.ceil(n * 1.25));
    scratchTimes = new Float64Array(size);
    scratchValues = new Float64Array(size);
  }
  const times = scratchTimes;
  const values = scratchValues;
  const owner = new Int32Array(n);
  const acc = new Float64Array(krCount * STRIDE);
  const lastIdx = new Int32Array(krCount).fill(-1);
  const readingIdx = new Int32Array(krCount).fill(-1);
  const slow = new Uint8Array(krCount);
  const { kind: kinds, start: starts, end: ends, threshold: thresholds } = plan;
  for (let k = 0; k < krCount; k++) {
    acc[k * STRIDE + A_LAST] = -Infinity;
    acc[k * STRIDE + A_CURRENT] = NaN;
    if (!(starts[k]! > -Infinity && starts[k]! < Infinity) && kinds[k] === KIND_NUMERIC) slow[k] = 1; // origin = first reading
  }
  let prevId: string | undefined;
  let prevK: number | undefined;
  for (let i = 0; i < n; i++) {
    const c = checkIns[i]!;
    const id = c.keyResultId;
    // Check-ins often come grouped by key result: skip the hash lookup for a run of the same id.
    const k = id === prevId ? prevK : (prevK = krIndex.get((prevId = id)));
    parseInstantInto(c.at, times, i);
    const t = times[i]!;
    if (k === undefined || !(t <= atMs)) {
      owner[i] = -1;
      continue;
    }
    owner[i] = k;
    const b = k * STRIDE;
    // Equal times keep document order (as a stable sort would), so only a step back breaks the order.
    if (t < acc[b + A_LAST]!) slow[k] = 1;
    acc[b + A_LAST] = t;
    acc[b + A_COUNT]!++;
    lastIdx[k] = i;
    const kind = kinds[k]!;
    if (kind === KIND_NONE) {
      values[i] = NaN;
      continue;
    }
    if (kind >= KIND_MILESTONES) {
      values[i] = NaN;
      if ((kind === KIND_MILESTONES ? c.milestonesDone : c.done) !== undefined) readingIdx[k] = i;
      continue;
    }
    const raw = c.value;
    const value = raw === undefined ? NaN : +raw; // as a Float64Array store converts it
    values[i] = value;
    if (value !== value) continue; // NaN: no reading
    acc[b + A_CURRENT] = value;
    if (t >= starts[k]! && t < ends[k]!) {
      acc[b + A_N]!++;
      if (kind === KIND_NUMERIC) {
        const x = (t - starts[k]!) / DAY_MS;
        acc[b + A_SX]! += x;
        acc[b + A_SY]! += value;
        acc[b + A_SXX]! += x * x;
        acc[b + A_SXY]! += x * value;
      } else if (kind === KIND_ABOVE ? value >= thresholds[k]! : value <= thresholds[k]!) acc[b + A_SX]!++;
    }
  }
  let slowCount = 0;
  for (let k = 0; k < krCount; k++) slowCount += slow[k]!;
  return { owner, acc, lastIdx, readingIdx, slow, slowCount, times, values };
}

/**
 * The check-ins of the `slow` key results only, grouped by key result and sorted by time (stable):
 * key result `k`'s are `order[offsets[k]..offsets[k + 1])` with their instants and readings at the
 * same positions of `times` and `values`. Other key results get empty slices.
 */
export function groupSlow(a: Aggregates, n: number): { order: Int32Array; offsets: Int32Array; times: Float64Array; values: Float64Array } {
  const { owner, slow } = a;
  const krCount = slow.length;
  const offsets = new Int32Array(krCount + 1);
  for (let i = 0; i < n; i++) {
    const k = owner[i]!;
    if (k >= 0 && slow[k]) offsets[k + 1]!++;
  }
  for (let k = 0; k < krCount; k++) offsets[k + 1]! += offsets[k]!;
  const total = offsets[krCount]!;
  const order = new Int32Array(total);
  const times = new Float64Array(total);
  const values = new Float64Array(total);
  const fill = offsets.slice(0, krCount);
  for (let i = 0; i < n; i++) {
    const k = owner[i]!;
    if (k < 0 || !slow[k]) continue;
    const pos = fill[k]!++;
    order[pos] = i;
    times[pos] = a.times[i]!;
    values[pos] = a.values[i]!;
  }
  for (let k = 0; k < krCount; k++) if (offsets[k + 1]! - offsets[k]! > 1) sortSlice(order, times, values, offsets[k]!, offsets[k + 1]!);
  return { order, offsets, times, values };
}

/**
 * Groups every key result's check-ins in time order for the lazy histories (a counting sort by key
 * result, then a sort of the slices of key results whose check-ins were out of order). Runs at most
 * once per scoring run, on the first read of any verdict's `history`.
 */
export function groupedHistory(context: HistoryContext): { order: Int32Array; offsets: Int32Array } {
  if (context.order && context.offsets) return { order: context.order, offsets: context.offsets };
  const { owner, slow, checkIns } = context;
  const krCount = slow.length;
  const offsets = new Int32Array(krCount + 1);
  for (let i = 0; i < owner.length; i++) if (owner[i]! >= 0) offsets[owner[i]! + 1]!++;
  for (let k = 0; k < krCount; k++) offsets[k + 1]! += offsets[k]!;
  const order = new Int32Array(offsets[krCount]!);
  const fill = offsets.slice(0, krCount);
  for (let i = 0; i < owner.length; i++) {
    const k = owner[i]!;
    if (k >= 0) order[fill[k]!++] = i;
  }
  for (let k = 0; k < krCount; k++) {
    const from = offsets[k]!;
    const to = offsets[k + 1]!;
    if (!slow[k] || to - from < 2) continue;
    const times = new Float64Array(to - from);
    for (let j = from; j < to; j++) parseInstantInto(checkIns[order[j]!]!.at, times, j - from);
    const idx = Array.from({ length: to - from }, (_, j) => j);
    idx.sort((x, y) => times[x]! - times[y]! || order[from + x]! - order[from + y]!);
    const sorted = idx.map((j) => order[from + j]!);
    for (let j = 0; j < sorted.length; j++) order[from + j] = sorted[j]!;
  }
  context.order = order;
  context.offsets = offsets;
  return { order, offsets };
}

/** Sorts one key result's check-ins by time (stable); usually they already are, and this is one pass. */
export function sortSlice(order: Int32Array, times: Float64Array, values: Float64Array, from: number, to: number): void {
  let sorted = true;
  for (let j = from + 1; j < to; j++) {
    if (times[j - 1]! > times[j]!) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  const idx = Array.from({ length: to - from }, (_, j) => from + j);
  idx.sort((a, b) => times[a]! - times[b]! || order[a]! - order[b]!);
  const o = idx.map((j) => order[j]!);
  const t = idx.map((j) => times[j]!);
  const v = idx.map((j) => values[j]!);
  for (let j = 0; j < idx.length; j++) {
    order[from + j] = o[j]!;
    times[from + j] = t[j]!;
    values[from + j] = v[j]!;
  }
}
