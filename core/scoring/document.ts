import { DEFAULT_CADENCE, type Cadence, type CandorDocument, type KeyResult, type Person } from '../model/index.ts';
import type { DocumentScores, KeyResultVerdict, ObjectiveVerdict, ScoringOptions } from './types.ts';
import { DEFAULT_CONFIDENCE_CAPS, DEFAULT_GRACE_DAYS, DEFAULT_THRESHOLDS } from './types.ts';
import { DAY_MS, isValidTimeZone, isoOf, parseInstant, toMs } from './time.ts';
import { cycleSpan, elapsedOf } from './cycle.ts';
import { dueWindow } from './due.ts';
import { NO_CYCLE, type CycleInfo, type DueInfo, type HistoryContext, type Rhythm, type Settings } from './internal.ts';
import { groupCheckIns } from './group.ts';
import { evaluateKeyResult } from './keyresult.ts';
import { rollUpObjectives } from './rollup.ts';

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
  let prevObjective: string | undefined;
  let prevOi: number | undefined;
  for (let k = 0; k < krs.length; k++) {
    const kr = krs[k]!;
    if (duplicateKrs && krIndex.get(kr.id) !== k) continue;
    // Key results usually sit together under their objective: reuse the last lookup.
    const oi = kr.objectiveId === prevObjective ? prevOi : (prevOi = objIndex.get((prevObjective = kr.objectiveId)));
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
