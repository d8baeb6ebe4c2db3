import type { CandorDocument, CheckIn, Comment, KeyResult, Kudos, Objective, Person, Team } from '../../core/model/index.ts';
import { scoreDocument, type DocumentScores } from '../../core/scoring/index.ts';

/** Lookups built once per document and shared by every widget showing it. */
export interface DocumentIndex {
  people: Map<string, Person>;
  teams: Map<string, Team>;
  objectives: Map<string, Objective>;
  keyResults: Map<string, KeyResult>;
  keyResultsOf: Map<string, KeyResult[]>;
  checkInsOf: Map<string, CheckIn[]>;
  /** Comments and kudos by `kind:id` of their target. */
  commentsOn: Map<string, Comment[]>;
  kudosOn: Map<string, Kudos[]>;
}

const group = <T>(items: readonly T[], key: (t: T) => string) => {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = m.get(k);
    if (list) list.push(t);
    else m.set(k, [t]);
  }
  return m;
};
const byId = <T extends { id: string }>(items: readonly T[]) => new Map(items.map((t) => [t.id, t] as const));

const indexes = new WeakMap<CandorDocument, DocumentIndex>();

export function indexOf(doc: CandorDocument): DocumentIndex {
  let i = indexes.get(doc);
  if (!i) {
    const keyResultsOf = group(doc.keyResults, (k) => k.objectiveId);
    for (const list of keyResultsOf.values()) list.sort((a, b) => a.order - b.order);
    i = {
      people: byId(doc.people),
      teams: byId(doc.teams),
      objectives: byId(doc.objectives),
      keyResults: byId(doc.keyResults),
      keyResultsOf,
      checkInsOf: group(doc.checkIns, (c) => c.keyResultId),
      commentsOn: group(doc.comments, (c) => `${c.target.kind}:${c.target.id}`),
      kudosOn: group(doc.kudos, (k) => `${k.target.kind}:${k.target.id}`),
    };
    indexes.set(doc, i);
  }
  return i;
}

// Verdicts depend on the clock; reuse them for a minute so a page of widgets scores a document once.
const scores = new WeakMap<CandorDocument, { at: number; scores: DocumentScores }>();

export function scoresOf(doc: CandorDocument): DocumentScores {
  const hit = scores.get(doc);
  const now = Date.now();
  if (hit && now - hit.at < 60_000) return hit.scores;
  const s = scoreDocument(doc, { at: new Date(now) });
  scores.set(doc, { at: now, scores: s });
  return s;
}

/** Who owns an objective, in words. */
export function ownerName(doc: CandorDocument, o: Objective): string {
  const i = indexOf(doc);
  if (o.owner.kind === 'person') return i.people.get(o.owner.id)?.name ?? o.owner.id;
  if (o.owner.kind === 'team') return i.teams.get(o.owner.id)?.name ?? o.owner.id;
  return 'Company';
}

export const personName = (doc: CandorDocument, id: string) => indexOf(doc).people.get(id)?.name ?? id;
