import type { Objective } from '../model/index.ts';
import type { KeyResultVerdict, ObjectiveVerdict, Status } from './types.ts';
import { NO_CYCLE, type CycleInfo, type Settings } from './internal.ts';
import { expectationOf, gradeOf, paceStatus, statusRank } from './pace.ts';

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
export function rollUpObjectives(
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
