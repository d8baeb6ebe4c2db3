// Candor scoring: pure functions from a Candor document to verdicts. No DOM, no I/O.
export type { Status, Grade, ScoringOptions, KeyResultVerdict, ObjectiveVerdict, DocumentScores, OrgNode } from './types.ts';
export { DEFAULT_THRESHOLDS, DEFAULT_CONFIDENCE_CAPS, DEFAULT_GRACE_DAYS, ASPIRATIONAL_FACTOR } from './types.ts';
export { scoreDocument, CandorScoringError } from './document.ts';
export { toScoreJson, round, type ScoreJson } from './json.ts';
export { gradeOf, expectationOf, expectedScore, paceStatus, confidenceStatus, capByConfidence, statusRank, weaker, weakestStatus, netConfidence } from './pace.ts';
export { cycleElapsed, cycleSpan, currentCycle, type CycleSpan } from './cycle.ts';
export { alignmentPath, alignedChildren, sortByOrder } from './alignment.ts';
export { orgTree } from './org.ts';
export { clamp01, numericProgress, holdsThreshold, milestoneWeights, milestonesProgress, checkInProgress, keyResultProgress, weightedMean } from './progress.ts';
export { leastSquares, lineAt, LineFit, type Line } from './forecast.ts';
export { dueWindow, lastDueAt, nextDueAt, dueMoments, isDue, type DueOptions } from './due.ts';
export { parseInstant, toMs, zoneOffset, zonedToInstant, wallClock, isValidTimeZone } from './time.ts';
