import type { CheckIn, KeyResult, MaintainMetric, Objective } from '../model/index.ts';
import type { KeyResultVerdict, Status } from './types.ts';
import type { CycleInfo, DueInfo, HistoryContext, Rhythm, Settings } from './internal.ts';
import { DAY_MS } from './time.ts';
import { clamp01, holdsThreshold, milestoneWeights, milestonesProgress, numericProgress } from './progress.ts';
import { capByConfidence, confidenceStatus, expectationOf, paceStatus } from './pace.ts';
import { sortSlice } from './group.ts';

/** The check-ins behind one verdict, kept so `history` is built only when someone reads it. */
interface HistorySource {
  metric: KeyResult['metric'];
  checkIns: readonly CheckIn[];
  order: Int32Array;
  from: number;
  to: number;
}

/**
 * A key result's verdict. A class so every verdict has one shape (fast to build and read); `history`
 * is a getter whose array is built on first read and then kept — scoring 500k check-ins should not
 * allocate 500k history points nobody looks at. `JSON.stringify` includes it (see `toJSON`); an
 * object spread does not copy getters, so read `verdict.history` rather than `{ ...verdict }.history`.
 */
class KeyResultScore implements KeyResultVerdict {
  id: string;
  objectiveId: string;
  progress: number;
  score: number;
  expected: number;
  status: Status;
  confidence: number | undefined;
  current: number | undefined;
  lastCheckInAt: string | undefined;
  due: boolean;
  nextDueAt: string;
  forecast: { value: number; score: number } | undefined;
  #metric: KeyResult['metric'];
  /** Where the history comes from until it is read; then the history itself. */
  #history: HistoryContext | KeyResultVerdict['history'];
  #from: number;
  #to: number;
  constructor(id: string, objectiveId: string, metric: KeyResult['metric'], context: HistoryContext, from: number, to: number) {
    this.id = id;
    this.objectiveId = objectiveId;
    this.progress = 0;
    this.score = 0;
    this.expected = 0;
    this.status = 'on-track';
    this.confidence = undefined;
    this.current = undefined;
    this.lastCheckInAt = undefined;
    this.due = false;
    this.nextDueAt = '';
    this.forecast = undefined;
    this.#metric = metric;
    this.#history = context;
    this.#from = from;
    this.#to = to;
  }
  get history(): KeyResultVerdict['history'] {
    const h = this.#history;
    if (Array.isArray(h)) return h;
    const built = buildHistory({ metric: this.#metric, checkIns: (h as HistoryContext).checkIns, order: (h as HistoryContext).order, from: this.#from, to: this.#to });
    this.#history = built;
    return built;
  }
  set history(value: KeyResultVerdict['history']) {
    this.#history = value;
  }
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(this)) if ((this as Record<string, unknown>)[key] !== undefined) out[key] = (this as Record<string, unknown>)[key];
    out.history = this.history;
    return out;
  }
}

/** Each check-in's progress, carrying the last reading forward through check-ins that lack one. */
function buildHistory({ metric: m, checkIns, order, from, to }: HistorySource): KeyResultVerdict['history'] {
  const out: KeyResultVerdict['history'] = new Array(to - from);
  let progress = 0;
  let count = 0;
  const weights = m.kind === 'milestones' ? milestoneWeights(m) : undefined;
  for (let j = from; j < to; j++) {
    const c = checkIns[order[j]!]!;
    switch (m.kind) {
      case 'increase':
      case 'decrease':
      case 'maintain-above':
      case 'maintain-below':
        if (c.value !== undefined) {
          if (m.kind === 'increase' || m.kind === 'decrease') progress = numericProgress(m, c.value);
          else progress = holdsThreshold(m as MaintainMetric, c.value) ? 1 : 0;
          out[j - from] = { at: c.at, progress, value: c.value };
          continue;
        }
        break;
      case 'milestones':
        if (c.milestonesDone !== undefined) ({ progress, count } = milestonesProgress(m, c.milestonesDone, weights));
        out[j - from] = { at: c.at, progress, value: count };
        continue;
      case 'boolean':
        if (c.done !== undefined) progress = c.done ? 1 : 0;
        break;
    }
    out[j - from] = { at: c.at, progress };
  }
  return out;
}

/** One key result's verdict from its check-ins `order[from..to)` (sorted by time, all at or before `at`). */
export function evaluateKeyResult(
  kr: KeyResult,
  o: Objective,
  cycle: CycleInfo,
  context: HistoryContext,
  times: Float64Array,
  values: Float64Array,
  from: number,
  to: number,
  rhythm: Rhythm,
  due: DueInfo,
  createdMs: number,
  s: Settings,
): KeyResultVerdict {
  const m = kr.metric;
  const { checkIns, order } = context;
  if (to - from > 1) sortSlice(order, times, values, from, to, checkIns);
  const v = new KeyResultScore(kr.id, o.id, m, context, from, to);
  const factor = expectationOf(o.type);
  const startMs = cycle.startMs;
  const endMs = cycle.endMs;
  let progress = 0;
  let score = 0;
  let current: number | undefined;
  let isDone = false;
  let status: Status;

  switch (m.kind) {
    case 'increase':
    case 'decrease': {
      // Least squares over the cycle's readings, x in days from the cycle start, summed in place.
      const origin = Number.isFinite(startMs) ? startMs : to > from ? times[from]! : 0;
      let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
      for (let j = from; j < to; j++) {
        const value = values[j]!;
        if (value !== value) continue; // NaN: no reading
        current = value;
        const t = times[j]!;
        if (t >= startMs && t < endMs) {
          const x = (t - origin) / DAY_MS;
          n++;
          sx += x;
          sy += value;
          sxx += x * x;
          sxy += x * value;
        }
      }
      const span = m.target - m.start;
      progress = numericProgress(m, current); // guards start === target in unvalidated input
      score = clamp01(progress);
      isDone = progress >= 1 - 1e-9;
      const den = n * sxx - sx * sx;
      if (n >= 2 && den > 1e-9 * n * sxx && Number.isFinite(endMs) && span !== 0) {
        const slope = (n * sxy - sx * sy) / den;
        const value = slope * ((endMs - origin) / DAY_MS) + (sy - slope * sx) / n;
        v.forecast = { value, score: clamp01((value - m.start) / span) };
      }
      break;
    }
    case 'maintain-above':
    case 'maintain-below': {
      let held = 0;
      let counted = 0;
      const above = m.kind === 'maintain-above';
      const threshold = m.threshold;
      for (let j = from; j < to; j++) {
        const value = values[j]!;
        if (value !== value) continue; // NaN: no reading
        current = value;
        const t = times[j]!;
        if (t >= startMs && t < endMs) {
          counted++;
          if (above ? value >= threshold : value <= threshold) held++;
        }
      }
      progress = current === undefined ? 0 : holdsThreshold(m, current) ? 1 : 0;
      score = counted ? held / counted : 0;
      break;
    }
    case 'milestones': {
      let latest: readonly string[] | undefined;
      for (let j = to - 1; j >= from && latest === undefined; j--) latest = checkIns[order[j]!]!.milestonesDone;
      const r = milestonesProgress(m, latest);
      progress = r.progress;
      current = r.count;
      score = clamp01(progress);
      isDone = progress >= 1 - 1e-9;
      break;
    }
    case 'boolean': {
      let done: boolean | undefined;
      for (let j = to - 1; j >= from && done === undefined; j--) done = checkIns[order[j]!]!.done;
      progress = done ? 1 : 0;
      current = progress;
      score = progress;
      isDone = done === true;
      break;
    }
  }

  const last = to > from ? checkIns[order[to - 1]!]! : undefined;
  const lastMs = to > from ? times[to - 1]! : -Infinity;
  const confidence = last?.confidence;
  const maintain = m.kind === 'maintain-above' || m.kind === 'maintain-below';
  const expected = maintain ? factor : cycle.share * factor;

  if (isDone) status = 'done';
  else if (isStale(o, cycle, lastMs, rhythm, s)) status = 'stale';
  else {
    if (maintain) status = current === undefined || progress === 1 ? 'on-track' : 'off-track';
    else if (m.kind === 'boolean') status = confidenceStatus(confidence, s.caps);
    else status = paceStatus(score, expected, s.thresholds);
    status = capByConfidence(status, confidence, s.caps);
  }

  v.progress = progress;
  v.score = score;
  v.expected = expected;
  v.status = status;
  v.confidence = confidence;
  v.current = current;
  v.lastCheckInAt = last?.at;
  v.due = o.state === 'active' && !cycle.ended && !isDone && due.lastMs >= startMs && !(due.lastMs < createdMs) && lastMs < due.lastMs;
  v.nextDueAt = due.nextIso;
  return v;
}

/**
 * Silence is never green: an active objective's key result with no check-in within its cadence plus
 * the grace is stale — judged at `at`, or at the cycle's end once it ended. A cycle that began less
 * than that window ago is judged by pace instead.
 */
function isStale(o: Objective, cycle: CycleInfo, lastMs: number, rhythm: Rhythm, s: Settings): boolean {
  if (o.state !== 'active') return false;
  const window = rhythm.cadence.everyWeeks * 7 * DAY_MS + s.graceMs;
  const ref = Math.min(s.atMs, cycle.endMs);
  if (ref - cycle.startMs < window) return false;
  return ref - lastMs > window;
}
