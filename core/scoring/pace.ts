import type { ObjectiveType } from '../model/index.ts';
import type { Grade, Status } from './types.ts';
import { ASPIRATIONAL_FACTOR, DEFAULT_CONFIDENCE_CAPS, DEFAULT_THRESHOLDS } from './types.ts';

/** Google's grade bands: red < 0.4 ≤ yellow < 0.7 ≤ green. */
export function gradeOf(score: number): Grade {
  return score < 0.4 ? 'red' : score < 0.7 ? 'yellow' : 'green';
}

/** What an objective of a type is expected to reach by the end: committed 1.0, aspirational 0.7. */
export function expectationOf(type: ObjectiveType | undefined): number {
  return type === 'aspirational' ? ASPIRATIONAL_FACTOR : 1;
}

/** The score expected by now: the elapsed share of the cycle × the type's expectation. */
export function expectedScore(elapsedShare: number, type: ObjectiveType | undefined): number {
  return Math.min(1, Math.max(0, elapsedShare)) * expectationOf(type);
}

/** Status from the gap between a score and its expectation: gap ≥ atRisk → on-track, ≥ offTrack → at-risk, else off-track. */
export function paceStatus(score: number, expected: number, thresholds: { atRisk: number; offTrack: number } = DEFAULT_THRESHOLDS): Status {
  const gap = score - expected + 1e-12; // 0.5 − 0.7 must read as −0.2, not −0.20000000000000007
  return gap >= thresholds.atRisk ? 'on-track' : gap >= thresholds.offTrack ? 'at-risk' : 'off-track';
}

/** The status confidence alone gives (boolean key results until done): ≥ atRisk cap on-track, ≥ offTrack cap at-risk, else off-track. */
export function confidenceStatus(confidence: number | undefined, caps: { atRisk: number; offTrack: number } = DEFAULT_CONFIDENCE_CAPS): Status {
  if (confidence === undefined) return 'on-track';
  return confidence >= caps.atRisk ? 'on-track' : confidence >= caps.offTrack ? 'at-risk' : 'off-track';
}

const RANK: Record<Status, number> = { 'off-track': 0, stale: 1, 'at-risk': 2, 'on-track': 3, done: 4 };

/** Orders statuses from weakest to strongest: off-track < stale < at-risk < on-track < done. */
export const statusRank = (s: Status): number => RANK[s];

/** The weaker of two statuses. */
export const weaker = (a: Status, b: Status): Status => (RANK[a] <= RANK[b] ? a : b);

/** Caps a status by the latest confidence: below caps.atRisk at most at-risk, below caps.offTrack off-track. */
export function capByConfidence(status: Status, confidence: number | undefined, caps: { atRisk: number; offTrack: number } = DEFAULT_CONFIDENCE_CAPS): Status {
  if (confidence === undefined || status === 'done' || status === 'stale') return status;
  return weaker(status, confidenceStatus(confidence, caps));
}

/** The weakest status of a set (Perdoo's rule for an objective), or undefined when the set is empty. */
export function weakestStatus(statuses: Iterable<Status>): Status | undefined {
  let worst: Status | undefined;
  for (const s of statuses) if (worst === undefined || RANK[s] < RANK[worst]) worst = s;
  return worst;
}

/**
 * Net confidence score of a set: % on-track − % off-track (−100..100; 0 for an empty set).
 * A done key result counts as on-track; stale and at-risk count in the total only.
 */
export function netConfidence(statuses: Iterable<Status>): number {
  let total = 0;
  let good = 0;
  let bad = 0;
  for (const s of statuses) {
    total++;
    if (s === 'on-track' || s === 'done') good++;
    else if (s === 'off-track') bad++;
  }
  return total === 0 ? 0 : ((good - bad) / total) * 100;
}
