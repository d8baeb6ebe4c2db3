import { COLLECTIONS, type CandorDocument } from '../model/index.ts';

/**
 * Field order for each kind of object Candor writes, so exports diff cleanly and read naturally
 * (ids first, then what a person would look at). Fields not listed (unknown, kept from newer
 * writers) follow in alphabetical order.
 */
const ORDER: Record<string, readonly string[]> = {
  document: ['format', 'version', 'generatedAt', ...COLLECTIONS],
  people: ['id', 'name', 'email', 'teamIds', 'timeZone', 'cadence'],
  cadence: ['everyWeeks', 'weekday', 'hour'],
  teams: ['id', 'name', 'parentId', 'leadIds'],
  cycles: ['id', 'name', 'start', 'end'],
  objectives: ['id', 'cycleId', 'title', 'description', 'owner', 'parentId', 'type', 'visibility', 'state', 'rollup', 'order', 'createdAt', 'updatedAt'],
  owner: ['kind', 'id'],
  target: ['kind', 'id'],
  keyResults: ['id', 'objectiveId', 'title', 'ownerId', 'weight', 'order', 'metric'],
  metric: ['kind', 'start', 'target', 'threshold', 'unit', 'format', 'currency', 'items'],
  items: ['id', 'title', 'weight'],
  checkIns: ['id', 'keyResultId', 'authorId', 'at', 'value', 'milestonesDone', 'done', 'confidence', 'note', 'blockers'],
  comments: ['id', 'target', 'authorId', 'at', 'text'],
  kudos: ['id', 'target', 'fromId', 'toIds', 'at', 'message'],
  reflections: ['id', 'objectiveId', 'authorId', 'at', 'score', 'wentWell', 'learned', 'nextTime'],
};

const KNOWN_SETS: Record<string, ReadonlySet<string>> = Object.fromEntries(Object.entries(ORDER).map(([k, v]) => [k, new Set(v)]));
const NONE: readonly string[] = [];
const NO_SET: ReadonlySet<string> = new Set();

function ordered(value: unknown, context: string): unknown {
  if (Array.isArray(value)) return value.map((v) => ordered(v, context));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const known = Object.hasOwn(ORDER, context) ? ORDER[context]! : NONE;
  const out: Record<string, unknown> = {};
  let placed = 0;
  for (const key of known) {
    if (!(key in obj)) continue;
    placed++;
    const v = obj[key];
    if (v !== undefined) out[key] = v !== null && typeof v === 'object' ? ordered(v, key) : v;
  }
  const keys = Object.keys(obj);
  if (keys.length > placed) {
    // Fields this build does not know (kept from newer writers) follow, alphabetically.
    const knownSet = Object.hasOwn(KNOWN_SETS, context) ? KNOWN_SETS[context]! : NO_SET;
    for (const key of keys.filter((k) => !knownSet.has(k)).sort()) {
      const v = obj[key];
      // defineProperty, not assignment: an unknown field named "__proto__" must stay a field.
      if (v !== undefined) Object.defineProperty(out, key, { value: ordered(v, key), enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

/** A copy of the document with every object's keys in Candor's stable order. */
export function canonicalDocument(doc: CandorDocument): CandorDocument {
  return ordered(doc, 'document') as CandorDocument;
}

/** Candor JSON: stable key order, two-space indent, trailing newline. */
export function exportJson(doc: CandorDocument, options: { indent?: number } = {}): string {
  return JSON.stringify(canonicalDocument(doc), null, options.indent ?? 2) + '\n';
}
