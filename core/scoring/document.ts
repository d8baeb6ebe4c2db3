import { DEFAULT_CADENCE, type Cadence, type CandorDocument, type CheckIn, type KeyResult, type MaintainMetric, type Objective, type Person } from '../model/index.ts';
import type { DocumentScores, KeyResultVerdict, ObjectiveVerdict, ScoringOptions, Status } from './types.ts';
import { DEFAULT_CONFIDENCE_CAPS, DEFAULT_GRACE_DAYS, DEFAULT_THRESHOLDS } from './types.ts';
import { DAY_MS, isValidTimeZone, isoOf, parseInstant, parseInstantInto, toMs } from './time.ts';
import { cycleSpan, elapsedOf } from './cycle.ts';
import { clamp01, holdsThreshold, milestoneWeights, milestonesProgress, numericProgress } from './progress.ts';
import { capByConfidence, confidenceStatus, expectationOf, gradeOf, paceStatus, statusRank } from './pace.ts';
import { dueWindow } from './due.ts';

/** Everything a key result's verdict depends on beyond its own check-ins, resolved once per document. */
interface CycleInfo {
  startMs: number;
  endMs: number;
  share: number;
  ended: boolean;
  anchor: string | undefined;
}

interface Settings {
  atMs: number;
  thresholds: { atRisk: number; offTrack: number };
  caps: { atRisk: number; offTrack: number };
  graceMs: number;
  cadence: Cadence;
  timeZone: string;
}

interface Rhythm {
  cadence: Cadence;
  timeZone: string;
  key: string;
  /** The due window last looked up for this rhythm, and the cycle it was for (most KRs of a person share one). */
  due: DueInfo | undefined;
  dueFor: CycleInfo | undefined;
}

interface DueInfo {
  lastMs: number;
  nextIso: string;
}

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

const NO_CYCLE: CycleInfo = { startMs: -Infinity, endMs: Infinity, share: 0, ended: false, anchor: undefined };

/** Thrown when `options.at` is not a readable instant. */
export class CandorScoringError extends Error {
  override name = 'CandorScoringError';
}

function settingsOf(options: ScoringOptions): Settings {
  const atMs = toMs(options.at);
  if (!Number.isFinite(atMs)) throw new CandorScoringError(`scoring: "at" is not a readable instant: ${String(options.at)}`);
  const tz = options.defaultTimeZone && isValidTimeZone(options.defaultTimeZone) ? options.defaultTimeZone : 'UTC';
  return {
    atMs,
    thresholds: options.thresholds ?? DEFAULT_THRESHOLDS,
    caps: options.confidenceCaps ?? DEFAULT_CONFIDENCE_CAPS,
    graceMs: (options.graceDays ?? DEFAULT_GRACE_DAYS) * DAY_MS,
    cadence: { ...DEFAULT_CADENCE, ...options.defaultCadence },
    timeZone: tz,
  };
}

/** Key results sorted by `order`, then document order (stable). */
function sortKeyResultIndexes(list: number[], krs: readonly KeyResult[]): void {
  for (let i = 1; i < list.length; i++) {
    if (krs[list[i - 1]!]!.order > krs[list[i]!]!.order) {
      list.sort((a, b) => krs[a]!.order - krs[b]!.order || a - b);
      return;
    }
  }
}

/**
 * Scores a whole document at one moment: every key result's progress, score, pace, status, due
 * date and forecast; every objective's rolled-up score, status and grade; and the net confidence.
 * Runs in O(n) over objectives, key results and check-ins (plus a sort of check-ins that are out of
 * time order). Key results whose objective is missing are left out; check-ins after `at` are ignored.
 */
export function scoreDocument(doc: CandorDocument, options: ScoringOptions = {}): DocumentScores {
  const s = settingsOf(options);
  const { atMs } = s;

  // People → their check-in rhythm (cadence and time zone), resolved once.
  const rhythms = new Map<string, Rhythm>();
  const defaultRhythm = rhythmOf(undefined, s);
  for (const p of doc.people) if (!rhythms.has(p.id)) rhythms.set(p.id, rhythmOf(p, s));

  const cycles = new Map<string, CycleInfo>();
  for (const c of doc.cycles) {
    if (cycles.has(c.id)) continue;
    const span = cycleSpan(c, s.timeZone);
    const e = elapsedOf(span, atMs);
    cycles.set(c.id, { startMs: span.startMs, endMs: span.endMs, share: e.share, ended: e.ended, anchor: c.start });
  }

  // Indexes by id. Filled back to front so the first of duplicate ids wins with one Map write each
  // (Map operations on ids fresh from JSON dominate the cost of scoring; keep them few).
  const objectives = doc.objectives;
  const objIndex = new Map<string, number>();
  for (let i = objectives.length - 1; i >= 0; i--) objIndex.set(objectives[i]!.id, i);
  const objFirst = new Uint8Array(objectives.length).fill(1);
  if (objIndex.size !== objectives.length) for (let i = 0; i < objectives.length; i++) objFirst[i] = objIndex.get(objectives[i]!.id) === i ? 1 : 0;

  // Key results grouped by objective.
  const krs = doc.keyResults;
  const krIndex = new Map<string, number>();
  for (let k = krs.length - 1; k >= 0; k--) krIndex.set(krs[k]!.id, k);
  const duplicateKrs = krIndex.size !== krs.length;
  const krsOf: (number[] | undefined)[] = new Array(objectives.length);
  for (let k = 0; k < krs.length; k++) {
    const kr = krs[k]!;
    if (duplicateKrs && krIndex.get(kr.id) !== k) continue;
    const oi = objIndex.get(kr.objectiveId);
    if (oi === undefined) continue; // its objective is missing: left out
    (krsOf[oi] ??= []).push(k);
  }

  const checkIns = doc.checkIns;
  const { order, offsets, times: sortedTimes, values: sortedValues } = groupCheckIns(checkIns, krIndex, krs.length, atMs);

  const context: HistoryContext = { checkIns, order };
  const dueCache = new Map<string, DueInfo>();
  const krVerdicts = new Map<string, KeyResultVerdict>();
  const objVerdicts = new Map<string, ObjectiveVerdict>();
  const perObjective: KeyResultVerdict[][] = new Array(objectives.length);
  const perWeights: number[][] = new Array(objectives.length);
  let good = 0;
  let bad = 0;

  for (let oi = 0; oi < objectives.length; oi++) {
    const o = objectives[oi]!;
    const list = krsOf[oi];
    const verdicts: KeyResultVerdict[] = [];
    const weights: number[] = [];
    perObjective[oi] = verdicts;
    perWeights[oi] = weights;
    if (!list) continue;
    sortKeyResultIndexes(list, krs);
    const cycle = cycles.get(o.cycleId) ?? NO_CYCLE;
    const objRhythm = (o.owner.kind === 'person' ? rhythms.get(o.owner.id) : undefined) ?? defaultRhythm;
    const createdMs = parseInstant(o.createdAt);
    for (const k of list) {
      const kr = krs[k]!;
      const rhythm = (kr.ownerId !== undefined ? rhythms.get(kr.ownerId) : undefined) ?? objRhythm;
      const due = rhythm.dueFor === cycle ? rhythm.due! : dueOf(rhythm, cycle, atMs, dueCache);
      const v = evaluateKeyResult(kr, o, cycle, context, sortedTimes, sortedValues, offsets[k]!, offsets[k + 1]!, rhythm, due, createdMs, s);
      verdicts.push(v);
      weights.push(Number.isFinite(kr.weight) && kr.weight > 0 ? kr.weight : 0);
      krVerdicts.set(kr.id, v);
      if (v.status === 'on-track' || v.status === 'done') good++;
      else if (v.status === 'off-track') bad++;
    }
  }

  const byIndex: ObjectiveVerdict[] = new Array(objectives.length);
  rollUpObjectives(objectives, objIndex, objFirst, perObjective, perWeights, cycles, s, byIndex);
  for (let i = 0; i < objectives.length; i++) if (byIndex[i]) objVerdicts.set(objectives[i]!.id, byIndex[i]!);

  return { at: isoOf(atMs), objectives: objVerdicts, keyResults: krVerdicts, netConfidence: krVerdicts.size ? ((good - bad) / krVerdicts.size) * 100 : 0 };
}

/**
 * Check-ins grouped by key result in one counting sort: key result `k`'s check-ins are
 * `order[offsets[k]..offsets[k + 1])`, with their instants and numeric readings (NaN: none) at the
 * same positions of `times` and `values`. Each time is parsed once; check-ins after `atMs` or of an
 * unknown key result are dropped.
 */
function groupCheckIns(
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

function rhythmOf(person: Person | undefined, s: Settings): Rhythm {
  const cadence: Cadence = person?.cadence ? { ...DEFAULT_CADENCE, ...person.cadence } : s.cadence;
  const timeZone = person?.timeZone && isValidTimeZone(person.timeZone) ? person.timeZone : s.timeZone;
  return { cadence, timeZone, key: `${timeZone}|${cadence.everyWeeks}|${cadence.weekday}|${cadence.hour}`, due: undefined, dueFor: undefined };
}

function dueOf(rhythm: Rhythm, cycle: CycleInfo, atMs: number, cache: Map<string, DueInfo>): DueInfo {
  const key = rhythm.cadence.everyWeeks > 1 ? `${rhythm.key}|${cycle.anchor ?? ''}` : rhythm.key;
  let d = cache.get(key);
  if (!d) {
    const w = dueWindow(rhythm.cadence, atMs, { timeZone: rhythm.timeZone, ...(cycle.anchor ? { anchor: cycle.anchor } : {}) });
    d = { lastMs: w.lastMs, nextIso: isoOf(w.nextMs) };
    cache.set(key, d);
  }
  rhythm.due = d;
  rhythm.dueFor = cycle;
  return d;
}

/** Sorts one key result's check-ins by time (stable); usually they already are, and this is one pass. */
function sortSlice(order: Int32Array, times: Float64Array, values: Float64Array, from: number, to: number): void {
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

/** The check-ins of one scoring run, grouped by key result: shared by every verdict's lazy history. */
interface HistoryContext {
  checkIns: readonly CheckIn[];
  order: Int32Array;
}

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
function evaluateKeyResult(
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
  if (to - from > 1) sortSlice(order, times, values, from, to);
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

interface Part {
  score: number;
  expected: number;
  forecast: number;
  hasForecast: boolean;
  status: Status | undefined;
}

function keyResultPart(verdicts: readonly KeyResultVerdict[], krWeights: readonly number[]): Part | undefined {
  if (verdicts.length === 0) return undefined;
  let sw = 0;
  for (const w of krWeights) sw += w;
  const equal = !(sw > 0);
  const total = equal ? verdicts.length : sw;
  let score = 0;
  let expected = 0;
  let forecast = 0;
  let hasForecast = false;
  let worst: Status | undefined;
  for (let i = 0; i < verdicts.length; i++) {
    const v = verdicts[i]!;
    const w = (equal ? 1 : krWeights[i]!) / total;
    score += w * v.score;
    expected += w * v.expected;
    if (v.forecast) {
      hasForecast = true;
      forecast += w * v.forecast.score;
    } else forecast += w * v.score;
    if (worst === undefined || statusRank(v.status) < statusRank(worst)) worst = v.status;
  }
  return { score, expected, forecast, hasForecast, status: worst };
}

/**
 * Objective scores, bottom-up along alignment: `key-results` from its key results, `children` from
 * its aligned children (equal weights), `both` as the equal mix of the two. A side that is empty
 * gives way to the other. An alignment cycle is cut where it would close, so every objective is
 * scored once and nothing recurses forever.
 */
function rollUpObjectives(
  objectives: readonly Objective[],
  objIndex: Map<string, number>,
  objFirst: Uint8Array,
  perObjective: KeyResultVerdict[][],
  perWeights: number[][],
  cycles: Map<string, CycleInfo>,
  s: Settings,
  out: ObjectiveVerdict[],
): void {
  const count = objectives.length;
  const children: (number[] | undefined)[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const p = objectives[i]!.parentId;
    if (p === undefined) continue;
    const pi = objIndex.get(p);
    if (pi === undefined || pi === i || !objFirst[i]) continue;
    (children[pi] ??= []).push(i);
  }
  const state = new Uint8Array(count); // 0 new, 1 open (on the current path), 2 scored
  const stack: number[] = [];
  for (let root = 0; root < count; root++) {
    if (state[root] !== 0 || !objFirst[root]) continue;
    stack.push(root);
    while (stack.length) {
      const v = stack[stack.length - 1]!;
      if (state[v] === 0) {
        state[v] = 1;
        const kids = children[v];
        if (kids) for (const c of kids) if (state[c] === 0) stack.push(c);
        continue;
      }
      stack.pop();
      if (state[v] === 2) continue;
      state[v] = 2;
      out[v] = finishObjective(objectives[v]!, perObjective[v]!, perWeights[v]!, children[v], state, out, objectives, cycles, s);
    }
  }
}

function finishObjective(
  o: Objective,
  verdicts: KeyResultVerdict[],
  weights: number[],
  kids: number[] | undefined,
  state: Uint8Array,
  scored: readonly (ObjectiveVerdict | undefined)[],
  objectives: readonly Objective[],
  cycles: Map<string, CycleInfo>,
  s: Settings,
): ObjectiveVerdict {
  let childPart: Part | undefined;
  const childIds: string[] = [];
  if (kids) {
    const sorted = kids.length > 1 ? [...kids].sort((a, b) => (objectives[a]!.order ?? Infinity) - (objectives[b]!.order ?? Infinity) || a - b) : kids;
    let score = 0;
    let expected = 0;
    let forecast = 0;
    let hasForecast = false;
    let worst: Status | undefined;
    let used = 0;
    for (const c of sorted) {
      childIds.push(objectives[c]!.id);
      const child = scored[c];
      if (state[c] !== 2 || !child) continue; // still open: it closes an alignment cycle
      used++;
      score += child.score;
      expected += child.expected;
      if (child.forecast) {
        hasForecast = true;
        forecast += child.forecast.score;
      } else forecast += child.score;
      if (worst === undefined || statusRank(child.status) < statusRank(worst)) worst = child.status;
    }
    if (used && o.rollup !== 'key-results') childPart = { score: score / used, expected: expected / used, forecast: forecast / used, hasForecast, status: worst };
  }
  // `children` uses key results only when no aligned child could be scored.
  const krPart = o.rollup === 'children' && childPart ? undefined : keyResultPart(verdicts, weights);
  let part: Part;
  if (krPart && childPart) {
    part = {
      score: (krPart.score + childPart.score) / 2,
      expected: (krPart.expected + childPart.expected) / 2,
      forecast: (krPart.forecast + childPart.forecast) / 2,
      hasForecast: krPart.hasForecast || childPart.hasForecast,
      status: krPart.status && childPart.status ? (statusRank(krPart.status) <= statusRank(childPart.status) ? krPart.status : childPart.status) : (krPart.status ?? childPart.status),
    };
  } else if (krPart || childPart) part = (krPart ?? childPart)!;
  else {
    const cycle = cycles.get(o.cycleId) ?? NO_CYCLE;
    part = { score: 0, expected: cycle.share * expectationOf(o.type), forecast: 0, hasForecast: false, status: undefined };
  }
  const cycle = cycles.get(o.cycleId) ?? NO_CYCLE;
  const verdict: ObjectiveVerdict = {
    id: o.id,
    score: part.score,
    expected: part.expected,
    // With nothing to judge by (no key results, no scored children), the pace of the score decides.
    status: part.status ?? paceStatus(part.score, part.expected, s.thresholds),
    grade: gradeOf(part.score),
    keyResults: verdicts,
    childIds,
    flaggedForReflection: (o.state === 'closed' || cycle.ended) && part.score < expectationOf(o.type) - 1e-9,
  };
  if (part.hasForecast) verdict.forecast = { score: part.forecast };
  return verdict;
}
