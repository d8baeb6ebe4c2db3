import type { CheckIn, KeyResult, MaintainMetric, Metric, MilestonesMetric, ProgressMetric } from '../model/index.ts';
import { toMs } from './time.ts';

/** Clamps to 0..1 (NaN → 0). */
export const clamp01 = (x: number): number => (x > 1 ? 1 : x > 0 ? x : 0);

/** Raw progress of an increase/decrease metric at `value` (no value → start → 0). May exceed 1 or fall below 0. */
export function numericProgress(metric: Pick<ProgressMetric, 'start' | 'target'>, value: number | undefined): number {
  if (value === undefined) return 0;
  const span = metric.target - metric.start;
  return span === 0 ? (value === metric.target ? 1 : 0) : (value - metric.start) / span;
}

/** Whether `value` holds a maintain metric's threshold (at or above for maintain-above, at or below for maintain-below). */
export function holdsThreshold(metric: Pick<MaintainMetric, 'kind' | 'threshold'>, value: number): boolean {
  return metric.kind === 'maintain-above' ? value >= metric.threshold : value <= metric.threshold;
}

/** Weights of a milestones metric by item id; missing weights are 1, and all-zero weights count equally. */
export function milestoneWeights(metric: Pick<MilestonesMetric, 'items'>): { weights: Map<string, number>; total: number } {
  const weights = new Map<string, number>();
  let total = 0;
  for (const item of metric.items) {
    if (weights.has(item.id)) continue;
    const w = item.weight ?? 1;
    weights.set(item.id, w);
    total += w;
  }
  if (total === 0) {
    for (const id of weights.keys()) weights.set(id, 1);
    total = weights.size;
  }
  return { weights, total };
}

/**
 * Progress of a milestones metric: done weight / total weight, and how many distinct known milestones are done.
 * Unknown and repeated ids are ignored.
 */
export function milestonesProgress(
  metric: Pick<MilestonesMetric, 'items'>,
  done: readonly string[] | undefined,
  weights = milestoneWeights(metric),
): { progress: number; count: number } {
  if (!done || done.length === 0 || weights.total === 0) return { progress: 0, count: 0 };
  let sum = 0;
  let count = 0;
  const seen = done.length > 1 ? new Set<string>() : undefined;
  for (const id of done) {
    const w = weights.weights.get(id);
    if (w === undefined || seen?.has(id)) continue;
    seen?.add(id);
    sum += w;
    count++;
  }
  return { progress: sum / weights.total, count };
}

/** The progress one check-in alone would give a metric, or undefined when it carries nothing for that kind. */
export function checkInProgress(metric: Metric, checkIn: Pick<CheckIn, 'value' | 'milestonesDone' | 'done'>): number | undefined {
  switch (metric.kind) {
    case 'increase':
    case 'decrease':
      return checkIn.value === undefined ? undefined : numericProgress(metric, checkIn.value);
    case 'maintain-above':
    case 'maintain-below':
      return checkIn.value === undefined ? undefined : holdsThreshold(metric, checkIn.value) ? 1 : 0;
    case 'milestones':
      return checkIn.milestonesDone === undefined ? undefined : milestonesProgress(metric, checkIn.milestonesDone).progress;
    case 'boolean':
      return checkIn.done === undefined ? undefined : checkIn.done ? 1 : 0;
  }
}

/**
 * A key result's raw progress and score from its check-ins (any order; those after `at` are ignored).
 * Progress follows the latest check-in that carries the metric's kind of reading; the score is
 * clamp(progress, 0, 1), except for maintain metrics, whose score is the share of check-ins within
 * `window` (the cycle, default: all) that held the threshold.
 */
export function keyResultProgress(
  kr: Pick<KeyResult, 'metric'>,
  checkIns: readonly Pick<CheckIn, 'at' | 'value' | 'milestonesDone' | 'done'>[],
  options: { at?: string | Date; window?: { startMs: number; endMs: number } } = {},
): { progress: number; score: number } {
  const atMs = options.at === undefined ? Infinity : toMs(options.at);
  const from = options.window?.startMs ?? -Infinity;
  const to = options.window?.endMs ?? Infinity;
  let latestMs = -Infinity;
  let latest: number | undefined;
  let held = 0;
  let counted = 0;
  const maintain = kr.metric.kind === 'maintain-above' || kr.metric.kind === 'maintain-below';
  for (const c of checkIns) {
    const t = toMs(c.at);
    if (!(t <= atMs)) continue;
    const p = checkInProgress(kr.metric, c);
    if (p === undefined) continue;
    if (t >= latestMs) {
      latestMs = t;
      latest = p;
    }
    if (maintain && t >= from && t < to) {
      counted++;
      if (p === 1) held++;
    }
  }
  const progress = latest ?? 0;
  return { progress, score: maintain ? (counted ? held / counted : 0) : clamp01(progress) };
}

/** Weighted mean with weights normalised; all-zero (or no) weights count equally. */
export function weightedMean(values: readonly number[], weights: readonly number[]): number {
  let sw = 0;
  let sv = 0;
  for (let i = 0; i < values.length; i++) {
    sw += weights[i]!;
    sv += weights[i]! * values[i]!;
  }
  if (sw > 0) return sv / sw;
  let plain = 0;
  for (const v of values) plain += v;
  return values.length ? plain / values.length : 0;
}
