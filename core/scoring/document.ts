import { DEFAULT_CADENCE, type Cadence, type CandorDocument, type CheckIn, type KeyResult, type Objective, type Person } from '../model/index.ts';
import type { DocumentScores, KeyResultVerdict, ObjectiveVerdict, ScoringOptions, Status } from './types.ts';
import { DEFAULT_CONFIDENCE_CAPS, DEFAULT_GRACE_DAYS, DEFAULT_THRESHOLDS } from './types.ts';
import { DAY_MS, isValidTimeZone, isoOf, parseInstant, toMs } from './time.ts';
import { cycleSpan, elapsedOf } from './cycle.ts';
import { clamp01, holdsThreshold, milestoneWeights, milestonesProgress } from './progress.ts';
import { capByConfidence, confidenceStatus, expectationOf, gradeOf, netConfidence, paceStatus, statusRank } from './pace.ts';
import { LineFit, lineAt } from './forecast.ts';
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
}

interface DueInfo {
  lastMs: number;
  nextIso: string;
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

  const objectives = doc.objectives;
  const objIndex = new Map<string, number>();
  for (let i = 0; i < objectives.length; i++) if (!objIndex.has(objectives[i]!.id)) objIndex.set(objectives[i]!.id, i);

  // Key results grouped by objective.
  const krs = doc.keyResults;
  const krIndex = new Map<string, number>();
  const krsOf: (number[] | undefined)[] = new Array(objectives.length);
  for (let k = 0; k < krs.length; k++) {
    const kr = krs[k]!;
    if (krIndex.has(kr.id)) continue;
    const oi = objIndex.get(kr.objectiveId);
    if (oi === undefined) continue;
    krIndex.set(kr.id, k);
    (krsOf[oi] ??= []).push(k);
  }

  // Check-ins grouped by key result in one counting sort: their times parsed once, future ones dropped.
  const checkIns = doc.checkIns;
  const n = checkIns.length;
  const owner = new Int32Array(n);
  const times = new Float64Array(n);
  const offsets = new Int32Array(krs.length + 1);
  for (let i = 0; i < n; i++) {
    const c = checkIns[i]!;
    const k = krIndex.get(c.keyResultId);
    const t = parseInstant(c.at);
    if (k === undefined || !(t <= atMs)) {
      owner[i] = -1;
      continue;
    }
    owner[i] = k;
    times[i] = t;
    offsets[k + 1]!++;
  }
  for (let k = 0; k < krs.length; k++) offsets[k + 1]! += offsets[k]!;
  const order = new Int32Array(offsets[krs.length]!);
  const sortedTimes = new Float64Array(order.length);
  const fill = offsets.slice(0, krs.length);
  for (let i = 0; i < n; i++) {
    const k = owner[i]!;
    if (k < 0) continue;
    const pos = fill[k]!++;
    order[pos] = i;
    sortedTimes[pos] = times[i]!;
  }
  for (let k = 0; k < krs.length; k++) sortSlice(order, sortedTimes, offsets[k]!, offsets[k + 1]!);

  const dueCache = new Map<string, DueInfo>();
  const krVerdicts = new Map<string, KeyResultVerdict>();
  const objVerdicts = new Map<string, ObjectiveVerdict>();
  const perObjective: KeyResultVerdict[][] = new Array(objectives.length);
  const perWeights: number[][] = new Array(objectives.length);
  const statuses: Status[] = [];

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
    const objOwner = o.owner.kind === 'person' ? o.owner.id : undefined;
    const createdMs = parseInstant(o.createdAt);
    for (const k of list) {
      const kr = krs[k]!;
      const rhythm = (kr.ownerId !== undefined ? rhythms.get(kr.ownerId) : undefined) ?? (objOwner !== undefined ? rhythms.get(objOwner) : undefined) ?? defaultRhythm;
      const due = dueOf(rhythm, cycle, atMs, dueCache);
      const v = evaluateKeyResult(kr, o, cycle, checkIns, order, sortedTimes, offsets[k]!, offsets[k + 1]!, rhythm, due, createdMs, s);
      verdicts.push(v);
      weights.push(Number.isFinite(kr.weight) && kr.weight > 0 ? kr.weight : 0);
      krVerdicts.set(kr.id, v);
      statuses.push(v.status);
    }
  }

  const byIndex: ObjectiveVerdict[] = new Array(objectives.length);
  rollUpObjectives(objectives, objIndex, perObjective, perWeights, cycles, s, byIndex);
  for (let i = 0; i < objectives.length; i++) if (byIndex[i]) objVerdicts.set(objectives[i]!.id, byIndex[i]!);

  return { at: isoOf(atMs), objectives: objVerdicts, keyResults: krVerdicts, netConfidence: netConfidence(statuses) };
}

function rhythmOf(person: Person | undefined, s: Settings): Rhythm {
  const cadence: Cadence = person?.cadence ? { ...DEFAULT_CADENCE, ...person.cadence } : s.cadence;
  const timeZone = person?.timeZone && isValidTimeZone(person.timeZone) ? person.timeZone : s.timeZone;
  return { cadence, timeZone, key: `${timeZone}|${cadence.everyWeeks}|${cadence.weekday}|${cadence.hour}` };
}

function dueOf(rhythm: Rhythm, cycle: CycleInfo, atMs: number, cache: Map<string, DueInfo>): DueInfo {
  const key = rhythm.cadence.everyWeeks > 1 ? `${rhythm.key}|${cycle.anchor ?? ''}` : rhythm.key;
  let d = cache.get(key);
  if (!d) {
    const w = dueWindow(rhythm.cadence, atMs, { timeZone: rhythm.timeZone, ...(cycle.anchor ? { anchor: cycle.anchor } : {}) });
    d = { lastMs: w.lastMs, nextIso: isoOf(w.nextMs) };
    cache.set(key, d);
  }
  return d;
}

/** Sorts one key result's check-ins by time (stable); usually they already are, and this is one pass. */
function sortSlice(order: Int32Array, times: Float64Array, from: number, to: number): void {
  let sorted = true;
  for (let j = from + 1; j < to; j++) {
    if (times[j - 1]! > times[j]!) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  const idx = Array.from(order.subarray(from, to));
  const t = new Map<number, number>();
  for (let j = from; j < to; j++) t.set(order[j]!, times[j]!);
  idx.sort((a, b) => t.get(a)! - t.get(b)! || a - b);
  for (let j = 0; j < idx.length; j++) {
    order[from + j] = idx[j]!;
    times[from + j] = t.get(idx[j]!)!;
  }
}

/** One key result's verdict from its check-ins `order[from..to)` (sorted by time, all at or before `at`). */
function evaluateKeyResult(
  kr: KeyResult,
  o: Objective,
  cycle: CycleInfo,
  checkIns: readonly CheckIn[],
  order: Int32Array,
  times: Float64Array,
  from: number,
  to: number,
  rhythm: Rhythm,
  due: DueInfo,
  createdMs: number,
  s: Settings,
): KeyResultVerdict {
  const m = kr.metric;
  const factor = expectationOf(o.type);
  const history: KeyResultVerdict['history'] = new Array(to - from);
  const origin = Number.isFinite(cycle.startMs) ? cycle.startMs : to > from ? times[from]! : 0;
  let progress = 0;
  let score: number;
  let current: number | undefined;
  let isDone = false;
  let held = 0;
  let counted = 0;
  let forecast: KeyResultVerdict['forecast'];
  let status: Status;

  switch (m.kind) {
    case 'increase':
    case 'decrease': {
      const span = m.target - m.start;
      const fit = new LineFit();
      for (let j = from; j < to; j++) {
        const c = checkIns[order[j]!]!;
        const v = c.value;
        if (v !== undefined) {
          current = v;
          progress = (v - m.start) / span;
          const t = times[j]!;
          if (t >= cycle.startMs && t < cycle.endMs) fit.add((t - origin) / DAY_MS, v);
          history[j - from] = { at: c.at, progress, value: v };
        } else history[j - from] = { at: c.at, progress };
      }
      score = clamp01(progress);
      isDone = progress >= 1 - 1e-9;
      const line = Number.isFinite(cycle.endMs) ? fit.line() : undefined;
      if (line) {
        const value = lineAt(line, (cycle.endMs - origin) / DAY_MS);
        forecast = { value, score: clamp01((value - m.start) / span) };
      }
      break;
    }
    case 'maintain-above':
    case 'maintain-below': {
      let holds = false;
      for (let j = from; j < to; j++) {
        const c = checkIns[order[j]!]!;
        const v = c.value;
        if (v !== undefined) {
          current = v;
          holds = holdsThreshold(m, v);
          progress = holds ? 1 : 0;
          const t = times[j]!;
          if (t >= cycle.startMs && t < cycle.endMs) {
            counted++;
            if (holds) held++;
          }
          history[j - from] = { at: c.at, progress, value: v };
        } else history[j - from] = { at: c.at, progress };
      }
      score = counted ? held / counted : 0;
      break;
    }
    case 'milestones': {
      const weights = milestoneWeights(m);
      let count = 0;
      for (let j = from; j < to; j++) {
        const c = checkIns[order[j]!]!;
        if (c.milestonesDone !== undefined) {
          const r = milestonesProgress(m, c.milestonesDone, weights);
          progress = r.progress;
          count = r.count;
        }
        history[j - from] = { at: c.at, progress, value: count };
      }
      current = count;
      score = clamp01(progress);
      isDone = progress >= 1 - 1e-9;
      break;
    }
    case 'boolean': {
      let done = false;
      for (let j = from; j < to; j++) {
        const c = checkIns[order[j]!]!;
        if (c.done !== undefined) done = c.done;
        progress = done ? 1 : 0;
        history[j - from] = { at: c.at, progress };
      }
      current = done ? 1 : 0;
      score = progress;
      isDone = done;
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
    if (maintain) status = current === undefined ? 'on-track' : progress === 1 ? 'on-track' : 'off-track';
    else if (m.kind === 'boolean') status = confidenceStatus(confidence, s.caps);
    else status = paceStatus(score, expected, s.thresholds);
    status = capByConfidence(status, confidence, s.caps);
  }

  const isDueNow =
    o.state === 'active' && !cycle.ended && !isDone && due.lastMs >= cycle.startMs && !(due.lastMs < createdMs) && lastMs < due.lastMs;

  const verdict: KeyResultVerdict = {
    id: kr.id,
    objectiveId: o.id,
    progress,
    score,
    expected,
    status,
    due: isDueNow,
    nextDueAt: due.nextIso,
    history,
  };
  if (confidence !== undefined) verdict.confidence = confidence;
  if (current !== undefined) verdict.current = current;
  if (last) verdict.lastCheckInAt = last.at;
  if (forecast) verdict.forecast = forecast;
  return verdict;
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
    if (pi === undefined || pi === i || objIndex.get(objectives[i]!.id) !== i) continue;
    (children[pi] ??= []).push(i);
  }
  const state = new Uint8Array(count); // 0 new, 1 open (on the current path), 2 scored
  const parts: (Part & { verdict: ObjectiveVerdict } | undefined)[] = new Array(count);
  const stack: number[] = [];
  for (let root = 0; root < count; root++) {
    if (state[root] !== 0 || objIndex.get(objectives[root]!.id) !== root) continue;
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
      parts[v] = finishObjective(objectives[v]!, perObjective[v]!, perWeights[v]!, children[v], state, parts, objectives, cycles, s);
      out[v] = parts[v]!.verdict;
    }
  }
}

function finishObjective(
  o: Objective,
  verdicts: KeyResultVerdict[],
  weights: number[],
  kids: number[] | undefined,
  state: Uint8Array,
  parts: readonly (Part | undefined)[],
  objectives: readonly Objective[],
  cycles: Map<string, CycleInfo>,
  s: Settings,
): Part & { verdict: ObjectiveVerdict } {
  const krPart = o.rollup === 'children' && kids?.some((c) => state[c] === 2) ? undefined : keyResultPart(verdicts, weights);
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
      const p = parts[c];
      if (state[c] !== 2 || !p) continue; // still open: it closes an alignment cycle
      used++;
      score += p.score;
      expected += p.expected;
      forecast += p.forecast;
      hasForecast ||= p.hasForecast;
      if (p.status !== undefined && (worst === undefined || statusRank(p.status) < statusRank(worst))) worst = p.status;
    }
    if (used && o.rollup !== 'key-results') childPart = { score: score / used, expected: expected / used, forecast: forecast / used, hasForecast, status: worst };
  }
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
    const expected = cycle.share * expectationOf(o.type);
    part = { score: 0, expected, forecast: 0, hasForecast: false, status: undefined };
  }
  const status: Status = part.status ?? paceStatus(part.score, part.expected, s.thresholds);
  const cycle = cycles.get(o.cycleId) ?? NO_CYCLE;
  const verdict: ObjectiveVerdict = {
    id: o.id,
    score: part.score,
    expected: part.expected,
    status,
    grade: gradeOf(part.score),
    keyResults: verdicts,
    childIds,
    flaggedForReflection: (o.state === 'closed' || cycle.ended) && part.score < expectationOf(o.type) - 1e-9,
  };
  if (part.hasForecast) verdict.forecast = { score: part.forecast };
  return { ...part, status, verdict };
}
