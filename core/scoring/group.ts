import type { CheckIn } from '../model/index.ts';
import { parseInstantInto } from './time.ts';

interface Scratch {
  owner: Int32Array;
  times: Float64Array;
  values: Float64Array;
  sortedTimes: Float64Array;
  sortedValues: Float64Array;
}
let scratchBuffers: Scratch | undefined;

/**
 * Scratch arrays for grouping check-ins, reused across calls: allocating megabytes of typed arrays
 * on every scoring run invites full garbage collections that cost more than the scoring itself.
 */
function scratch(n: number): Scratch {
  if (!scratchBuffers || scratchBuffers.owner.length < n) {
    const size = Math.max(1024, Math.ceil(n * 1.25));
    scratchBuffers = { owner: new Int32Array(size), times: new Float64Array(size), values: new Float64Array(size), sortedTimes: new Float64Array(size), sortedValues: new Float64Array(size) };
  }
  return scratchBuffers;
}

/**
 * Check-ins grouped by key result in one counting sort: key result `k`'s check-ins are
 * `order[offsets[k]..offsets[k + 1])`, with their instants and numeric readings (NaN: none) at the
 * same positions of `times` and `values`. Each time is parsed once; check-ins after `atMs` or of an
 * unknown key result are dropped.
 */
export function groupCheckIns(
  checkIns: readonly CheckIn[],
  krIndex: Map<string, number>,
  krCount: number,
  atMs: number,
): { order: Int32Array; offsets: Int32Array; times: Float64Array; values: Float64Array } {
  const n = checkIns.length;
  const { owner, times, values, sortedTimes, sortedValues } = scratch(n);
  const offsets = new Int32Array(krCount + 1);
  let prevId: string | undefined;
  let prevK: number | undefined;
  for (let i = 0; i < n; i++) {
    const c = checkIns[i]!;
    const id = c.keyResultId;
    // Check-ins often come grouped by key result: skip the hash lookup for a run of the same id.
    const k = id === prevId ? prevK : (prevK = krIndex.get((prevId = id)));
    parseInstantInto(c.at, times, i);
    if (k === undefined || !(times[i]! <= atMs)) {
      owner[i] = -1;
      continue;
    }
    owner[i] = k;
    // Numeric readings are copied out in this sequential pass, so scoring never chases check-in
    // objects scattered across the heap in key-result order.
    const value = c.value;
    values[i] = value === undefined ? NaN : value;
    offsets[k + 1]!++;
  }
  for (let k = 0; k < krCount; k++) offsets[k + 1]! += offsets[k]!;
  // `order` outlives the call (lazy histories read it); the other arrays are scratch, reused.
  const order = new Int32Array(offsets[krCount]!);
  const fill = offsets.slice(0, krCount);
  for (let i = 0; i < n; i++) {
    const k = owner[i]!;
    if (k < 0) continue;
    const pos = fill[k]!++;
    order[pos] = i;
    sortedTimes[pos] = times[i]!;
    sortedValues[pos] = values[i]!;
  }
  return { order, offsets, times: sortedTimes, values: sortedValues };
}

/**
 * Sorts one key result's check-ins by time; usually they already are, and this is one pass. Check-ins at
 * the same instant are ordered by id, so which one is "latest" never depends on the document's order.
 */
export function sortSlice(
  order: Int32Array,
  times: Float64Array,
  values: Float64Array,
  from: number,
  to: number,
  checkIns?: readonly { id: string }[],
): void {
  let sorted = true;
  for (let j = from + 1; j < to; j++) {
    if (times[j - 1]! > times[j]! || (times[j - 1] === times[j] && checkIns)) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  const idOf = (j: number) => checkIns?.[order[j]!]?.id ?? '';
  const idx = Array.from({ length: to - from }, (_, j) => from + j);
  idx.sort((a, b) => times[a]! - times[b]! || (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0) || order[a]! - order[b]!);
  const o = idx.map((j) => order[j]!);
  const t = idx.map((j) => times[j]!);
  const v = idx.map((j) => values[j]!);
  for (let j = 0; j < idx.length; j++) {
    order[from + j] = o[j]!;
    times[from + j] = t[j]!;
    values[from + j] = v[j]!;
  }
}
