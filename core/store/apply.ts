/**
 * Bringing a workspace to a Candor document. Import, the sample organisation and restoring a backup
 * are this one operation, and it writes only through the Workspace's commands
 * ({@link Workspace.importRecord} for records as given, {@link Workspace.delete} for what a restore drops).
 *
 * All or nothing: the document is validated whole first (schema and integrity, a newer version refused),
 * then every command runs against a fork of the workspace. When one refuses, the fork is dropped and the
 * workspace is as it was; otherwise the fork's updates are carried over in one transaction per space
 * (one stored update, one broadcast, one sync message each), tagged `MutationOrigin('applyDocument')`.
 *
 * Ids, timestamps and authors are kept. A record whose owner or visibility changed is moved — its old
 * copy removed with its key results and check-ins — so no record is ever left in two spaces, and
 * re-applying the same document changes nothing. No IndexedDB here: Node and browsers alike.
 */
import * as Y from 'yjs';
import {
  COLLECTIONS,
  CandorFormatError,
  CandorMutationError,
  parseDocument,
  type CandorDocument,
  type CollectionName,
  type RecordOf,
} from '../model/index.ts';
import { MutationOrigin, type ImportOutcome, type Workspace } from './workspace.ts';
import type { SpaceId } from './space.ts';

export type ApplyMode = 'merge' | 'replace';

export interface ApplyOptions {
  /**
   * `merge` (default; import, the sample): records of the workspace that the document does not hold
   * stay as they are. `replace` (restore): they are deleted, with tombstones, as `delete` would.
   */
  mode?: ApplyMode;
}

export type ApplyOutcome = ImportOutcome | 'removed';
export type ApplyCounts = Record<ApplyOutcome, number>;
/** Per collection, how many records were created, changed, moved to another space, left unchanged, removed. */
export type ApplySummary = Record<CollectionName, ApplyCounts>;

/**
 * The order records are written in: what a record refers to comes first (people before the key results
 * they own, key results before their check-ins, reflections before the comments about them; parents
 * before children within teams and objectives). Collections the model adds later go last.
 */
const WRITE_ORDER: readonly CollectionName[] = (() => {
  const preferred: CollectionName[] = ['people', 'teams', 'cycles', 'objectives', 'keyResults', 'checkIns', 'reflections', 'comments', 'kudos'];
  return [...preferred.filter((c) => COLLECTIONS.includes(c)), ...COLLECTIONS.filter((c) => !preferred.includes(c))];
})();

/** Deleting an objective deletes its key results and their check-ins, and a cycle goes only once it is empty. */
const REMOVE_ORDER: readonly CollectionName[] = (() => {
  const preferred: CollectionName[] = ['objectives', 'keyResults', 'checkIns', 'reflections', 'comments', 'kudos', 'cycles', 'teams', 'people'];
  return [...preferred.filter((c) => COLLECTIONS.includes(c)), ...COLLECTIONS.filter((c) => !preferred.includes(c))];
})();

const emptyCounts = (): ApplyCounts => ({ created: 0, changed: 0, moved: 0, unchanged: 0, removed: 0 });

export function emptySummary(): ApplySummary {
  return Object.fromEntries(COLLECTIONS.map((c) => [c, emptyCounts()])) as ApplySummary;
}

/** The summary's counts over all collections. */
export function summaryTotals(summary: ApplySummary): ApplyCounts {
  const total = emptyCounts();
  for (const counts of Object.values(summary)) for (const k of Object.keys(total) as ApplyOutcome[]) total[k] += counts[k];
  return total;
}

/**
 * Brings `ws` to `input` (a Candor document, parsed or not) through the Workspace's commands, all or
 * nothing; see the module comment. Throws a CandorFormatError (the document is not valid: nothing read)
 * or a CandorMutationError / CandorFormatError located at the record a command refused, e.g.
 * `checkIns[12].value: a boolean key result takes done, not a value` (nothing written).
 */
export function applyDocument(ws: Workspace, input: unknown, options: ApplyOptions = {}): ApplySummary {
  const parsed = parseDocument(input);
  if (!parsed.ok) throw parsed.error;
  const doc = parsed.value;
  const summary = emptySummary();
  const fork = ws.fork();
  const updates = new Map<SpaceId, Uint8Array[]>();
  const stopCapture = fork.subscribe((change) => {
    const list = updates.get(change.space);
    if (list) list.push(change.update);
    else updates.set(change.space, [change.update]);
  });
  try {
    const carried = new Set<string>();
    for (const collection of WRITE_ORDER) {
      for (const { record, index } of inWriteOrder(collection, doc)) {
        let result;
        try {
          result = fork.importRecord(collection, record as RecordOf<typeof collection>);
        } catch (e) {
          throw located(e, `${collection}[${index}]`);
        }
        for (const k of result.carried.keyResults) carried.add(`keyResults/${k}`);
        for (const c of result.carried.checkIns) carried.add(`checkIns/${c}`);
        // A key result or check-in that moved along with its objective counts as moved.
        const outcome = result.outcome !== 'created' && carried.has(`${collection}/${(record as { id: string }).id}`) ? 'moved' : result.outcome;
        summary[collection][outcome]++;
      }
    }
    if (options.mode === 'replace') removeOthers(fork, doc, summary);
  } catch (e) {
    stopCapture();
    fork.destroy();
    throw e;
  }
  stopCapture();
  fork.destroy();
  const origin = new MutationOrigin('applyDocument', ws);
  for (const [space, list] of updates) Y.applyUpdate(ws.space(space), list.length === 1 ? list[0]! : Y.mergeUpdates(list), origin);
  return summary;
}

/** Records of the workspace the document does not hold, deleted parents first (their cascades take the children along). */
function removeOthers(fork: Workspace, doc: CandorDocument, summary: ApplySummary): void {
  const present = new Map(COLLECTIONS.map((c) => [c, (fork.document[c] as { id: string }[]).map((r) => r.id)] as const));
  const kept = new Map(COLLECTIONS.map((c) => [c, new Set((doc[c] as { id: string }[]).map((r) => r.id))] as const));
  for (const collection of REMOVE_ORDER) {
    const keep = kept.get(collection)!;
    for (const id of present.get(collection)!) {
      if (keep.has(id)) continue;
      // Normally one copy; an older Candor may have left more.
      for (let guard = fork.spaces.size; guard > 0 && fork.find(collection, id); guard--) {
        try {
          fork.delete(collection, id);
        } catch (e) {
          throw located(e, `${collection}["${id}"]`);
        }
      }
      summary[collection].removed++;
    }
  }
}

/** A collection's records in the order they can be written (parents first), each with its index in the document. */
function inWriteOrder(collection: CollectionName, doc: CandorDocument): { record: unknown; index: number }[] {
  const list = (doc[collection] as { id: string; parentId?: string }[]).map((record, index) => ({ record, index }));
  if (collection !== 'teams' && collection !== 'objectives') return list;
  const byId = new Map(list.map((x) => [x.record.id, x]));
  const placed = new Set<string>();
  const out: typeof list = [];
  for (const item of list) {
    // Walk up to the first ancestor already placed (or outside the document), then place the chain top down.
    const chain: typeof list = [];
    const seen = new Set<string>();
    for (let cur: (typeof list)[number] | undefined = item; cur && !placed.has(cur.record.id) && !seen.has(cur.record.id); cur = cur.record.parentId === undefined ? undefined : byId.get(cur.record.parentId)) {
      seen.add(cur.record.id);
      chain.push(cur);
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      placed.add(chain[i]!.record.id);
      out.push(chain[i]!);
    }
  }
  return out;
}

/** The command's error, located at the record of the document it refused. */
function located(e: unknown, at: string): unknown {
  if (e instanceof CandorMutationError) {
    const message = e.path && e.message.startsWith(`${e.path}: `) ? e.message.slice(e.path.length + 2) : e.message;
    return new CandorMutationError(message, e.path ? `${at}.${e.path}` : at);
  }
  if (e instanceof CandorFormatError) return new CandorFormatError(e.issues.map((i) => ({ ...i, path: i.path ? `${at}.${i.path}` : at })));
  return e;
}
