import type { DocumentScores, Status } from './types.ts';

/** The shape `candor score --json` prints, for scripts and other tools. */
export interface ScoreJson {
  at: string;
  objectives: {
    id: string;
    score: number;
    status: Status;
    expected: number;
    forecast?: number;
    keyResults: { id: string; progress: number; score: number; status: Status }[];
  }[];
  netConfidence: number;
}

/** Rounds to `digits` decimals (default 3) for stable, readable output; −0 becomes 0. */
export const round = (x: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f + 0;
};

/**
 * Scores as plain JSON: objectives in document order, each with its key results in `order`.
 * Numbers are rounded to three decimals (net confidence to one).
 */
export function toScoreJson(scores: DocumentScores): ScoreJson {
  const objectives: ScoreJson['objectives'] = [];
  for (const o of scores.objectives.values()) {
    const entry: ScoreJson['objectives'][number] = {
      id: o.id,
      score: round(o.score),
      status: o.status,
      expected: round(o.expected),
      keyResults: o.keyResults.map((k) => ({ id: k.id, progress: round(k.progress), score: round(k.score), status: k.status })),
    };
    if (o.forecast) entry.forecast = round(o.forecast.score);
    objectives.push(entry);
  }
  return { at: scores.at, objectives, netConfidence: round(scores.netConfidence, 1) };
}
