import type { Cadence } from '../model/index.ts';

/** A key result's or objective's verdict. `done` means the target was reached. */
export type Status = 'on-track' | 'at-risk' | 'off-track' | 'stale' | 'done';

/** Google's grade bands: red < 0.4 ≤ yellow < 0.7 ≤ green. */
export type Grade = 'red' | 'yellow' | 'green';

/** How a document is scored. Every field has a default; see {@link DEFAULT_THRESHOLDS} and friends. */
export interface ScoringOptions {
  /** The moment the verdicts are for (ISO instant or Date). Default: now. Check-ins after it are ignored. */
  at?: string | Date;
  /** Gap (score − expected) thresholds. Default `{ atRisk: -0.2, offTrack: -0.4 }`: a gap ≥ atRisk is on-track, ≥ offTrack at-risk, else off-track. */
  thresholds?: { atRisk: number; offTrack: number };
  /** Latest confidence below `atRisk` caps the status at at-risk, below `offTrack` at off-track. Default `{ atRisk: 0.7, offTrack: 0.4 }`. */
  confidenceCaps?: { atRisk: number; offTrack: number };
  /** Days of silence tolerated beyond a cadence before a key result is `stale`. Default 2. */
  graceDays?: number;
  /** The cadence of people who have none. Default weekly, Monday 09:00. */
  defaultCadence?: Cadence;
  /** The IANA time zone of people who have none, and of cycle boundaries. Default 'UTC'. */
  defaultTimeZone?: string;
}

/** The verdict on one key result at one moment. */
export interface KeyResultVerdict {
  id: string;
  objectiveId: string;
  /** Raw progress, may exceed 1 (or fall below 0). */
  progress: number;
  /** 0..1, exact; display rounds to tenths. */
  score: number;
  /** The score expected by now (0..1): the pace. */
  expected: number;
  status: Status;
  /** The latest check-in's confidence. */
  confidence?: number;
  /** Latest value (numeric metrics), milestones done count, or 1/0 for boolean. */
  current?: number;
  lastCheckInAt?: string;
  /** True when there is no check-in since the last due moment of the owner's cadence. */
  due: boolean;
  /** The next due moment, an ISO instant in UTC. */
  nextDueAt: string;
  /** Least-squares projection to the end of the cycle, when ≥ 2 numeric check-ins fall in the cycle. */
  forecast?: { value: number; score: number };
  /**
   * Check-ins up to `at`, in time order (for sparklines), each with the progress it gave. From
   * `scoreDocument` this is a getter computed on first read: read `verdict.history`; an object
   * spread (`{ ...verdict }`) does not copy it. `JSON.stringify(verdict)` includes it.
   */
  history: { at: string; progress: number; value?: number }[];
}

/** The verdict on one objective at one moment. */
export interface ObjectiveVerdict {
  id: string;
  score: number;
  expected: number;
  status: Status;
  grade: Grade;
  forecast?: { score: number };
  /** Its key results' verdicts, sorted by `order`. */
  keyResults: KeyResultVerdict[];
  /** Aligned children (objectives whose parentId is this one), sorted by `order`. */
  childIds: string[];
  /** Closed (or its cycle ended) below its type's expectation: committed 1.0, aspirational 0.7. For reflection, never blame. */
  flaggedForReflection: boolean;
}

/** Every verdict of a document at one moment. */
export interface DocumentScores {
  at: string;
  objectives: Map<string, ObjectiveVerdict>;
  keyResults: Map<string, KeyResultVerdict>;
  /** % on-track − % off-track over key results, −100..100. */
  netConfidence: number;
}

/** One node of the organisation tree: company → teams → people → objectives. */
export interface OrgNode {
  kind: 'company' | 'team' | 'person' | 'objective';
  id: string;
  name: string;
  /** Mean score of the distinct objectives in this subtree (0 when there are none). */
  score: number;
  /** Set on objective nodes. */
  status?: Status;
  /** Distinct objectives in this subtree. */
  objectiveCount: number;
  children: OrgNode[];
}

/** The default gap thresholds for pace statuses. */
export const DEFAULT_THRESHOLDS = Object.freeze({ atRisk: -0.2, offTrack: -0.4 });
/** The default confidence caps. */
export const DEFAULT_CONFIDENCE_CAPS = Object.freeze({ atRisk: 0.7, offTrack: 0.4 });
/** The default grace beyond a cadence, in days. */
export const DEFAULT_GRACE_DAYS = 2;
/** What an aspirational objective is expected to reach, relative to a committed one. */
export const ASPIRATIONAL_FACTOR = 0.7;
