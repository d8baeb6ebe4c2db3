/**
 * The update check, as a Hocuspocus extension: every sync message a client sends is read before
 * Hocuspocus applies it; an update that adds, changes or removes an inadmissible record, or breaks the
 * space layout, is refused whole (nothing applied, stored or relayed) and that space's connection is
 * closed with a reason starting `refused: `. Accepted updates are applied here, in message order, and
 * their record changes are handed to `onAccepted` (the history). Awareness is bounded; stateless
 * messages, which Candor does not use, are refused.
 *
 * The rule itself is core's (core/rules, core/store/update-check.ts); this file only wires it in.
 */
import type { Extension, beforeHandleMessagePayload, onLoadDocumentPayload } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import type { CollectionName } from '../../core/model/index.ts';
import type { Directory } from '../../core/rules/index.ts';
import { materialiseOne } from '../../core/store/materialise.ts';
import { checkUpdate, type RecordChange } from '../../core/store/update-check.ts';
import type { SpaceId } from '../../core/rules/spaces.ts';

/** Hocuspocus' message types (see @hocuspocus/server `MessageType`). */
const SYNC = 0;
const AWARENESS = 1;
const SYNC_REPLY = 4;
const STATELESS = 5;
const BROADCAST_STATELESS = 6;
/** y-protocols' sync message types. */
const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;

/** The close code of a refused update (the reason says why). */
export const REFUSED_CODE = 4422;

export interface UpdateCheckOptions {
  directory: Directory;
  /** Largest awareness state a client may send, bytes. */
  maxAwarenessBytes?: number;
  /** Most records one space may hold. */
  maxRecordsPerSpace?: number;
  /** Called with what each accepted update changed, after it is applied. */
  onAccepted?: (space: SpaceId, person: string, changes: RecordChange[]) => void;
  log?: (line: string) => void;
}

const refused = (reason: string) => Object.assign(new Error(`refused: ${reason}`), { code: REFUSED_CODE, reason: `refused: ${reason}` });

/**
 * Which space holds each record id, kept up to date space by space (a space's ids are re-read after it
 * changes, from the rule's own materialised records), for the id-shadowing check.
 */
export class IdIndex {
  private readonly where = new Map<string, SpaceId | SpaceId[]>();
  private readonly bySpace = new Map<SpaceId, { doc: Y.Doc; dirty: boolean; keys: Set<string> }>();

  constructor(private readonly dir: Directory) {}

  add(space: SpaceId, doc: Y.Doc): void {
    if (this.bySpace.get(space)?.doc === doc) return;
    this.remove(space);
    const entry = { doc, dirty: true, keys: new Set<string>() };
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.changed.size || tr.deleteSet.clients.size) entry.dirty = true;
    });
    this.bySpace.set(space, entry);
  }

  remove(space: SpaceId): void {
    const entry = this.bySpace.get(space);
    if (!entry) return;
    for (const key of entry.keys) this.unlink(key, space);
    this.bySpace.delete(space);
  }

  /** The other spaces holding a record with this id, with that record. */
  elsewhere(collection: CollectionName, id: string, except: SpaceId): { space: SpaceId; record: Record<string, unknown> }[] {
    this.refresh();
    const at = this.where.get(`${collection}/${id}`);
    if (at === undefined) return [];
    const out: { space: SpaceId; record: Record<string, unknown> }[] = [];
    for (const space of typeof at === 'string' ? [at] : at) {
      if (space === except) continue;
      const entry = this.bySpace.get(space);
      const record = entry && materialiseOne(space, entry.doc, this.dir).find(collection, id);
      if (record) out.push({ space, record: record as Record<string, unknown> });
    }
    return out;
  }

  private refresh(): void {
    for (const [space, entry] of this.bySpace) {
      if (!entry.dirty) continue;
      entry.dirty = false;
      const next = new Set<string>();
      const { records } = materialiseOne(space, entry.doc, this.dir);
      for (const [collection, list] of Object.entries(records)) for (const r of list as { id: string }[]) next.add(`${collection}/${r.id}`);
      for (const key of entry.keys) if (!next.has(key)) this.unlink(key, space);
      for (const key of next) if (!entry.keys.has(key)) this.link(key, space);
      entry.keys = next;
    }
  }

  private link(key: string, space: SpaceId): void {
    const at = this.where.get(key);
    if (at === undefined) this.where.set(key, space);
    else if (typeof at === 'string') {
      if (at !== space) this.where.set(key, [at, space]);
    } else if (!at.includes(space)) at.push(space);
  }

  private unlink(key: string, space: SpaceId): void {
    const at = this.where.get(key);
    if (at === undefined) return;
    if (typeof at === 'string') {
      if (at === space) this.where.delete(key);
      return;
    }
    const rest = at.filter((s) => s !== space);
    if (rest.length === 0) this.where.delete(key);
    else this.where.set(key, rest.length === 1 ? rest[0]! : rest);
  }
}

/** The extension. Put it after the size limits and before anything that reads messages. */
export function updateCheck(options: UpdateCheckOptions): Extension & { index: IdIndex } {
  const index = new IdIndex(options.directory);
  const maxAwareness = options.maxAwarenessBytes ?? 8 * 1024;
  return {
    extensionName: 'candor-update-check',
    index,
    async onLoadDocument({ document, documentName }: onLoadDocumentPayload) {
      index.add(documentName, document);
    },
    async beforeHandleMessage({ update, document, documentName, context, connection }: beforeHandleMessagePayload) {
      const decoder = decoding.createDecoder(update);
      decoding.readVarString(decoder);
      const type = decoding.readVarUint(decoder);
      if (type === AWARENESS) {
        if (update.byteLength > maxAwareness) throw refused(`an awareness state of ${update.byteLength} bytes is over this server's limit of ${maxAwareness}`);
        return;
      }
      if (type === STATELESS || type === BROADCAST_STATELESS) throw refused('stateless messages are not used by Candor');
      if (type !== SYNC && type !== SYNC_REPLY) return;
      const syncType = decoding.readVarUint(decoder);
      if (syncType !== SYNC_STEP_2 && syncType !== SYNC_UPDATE) return;
      const payload = decoding.readVarUint8Array(decoder);
      const person = (context as { personId?: string } | undefined)?.personId;
      if (!person) throw refused('the connection has no person');
      const verdict = checkUpdate(document, payload, {
        space: documentName,
        writer: person,
        dir: options.directory,
        elsewhere: (collection, id) => index.elsewhere(collection, id, documentName),
        ...(options.maxRecordsPerSpace !== undefined ? { maxRecords: options.maxRecordsPerSpace } : {}),
      });
      if (!verdict.ok) {
        options.log?.(`refused an update from ${person} to ${documentName}: ${verdict.reason}`);
        throw refused(verdict.reason);
      }
      // Applied here, so the next message of this connection is checked against the space with this one in
      // it; Hocuspocus applies it again right after, which Yjs makes a no-op, and then acknowledges it.
      Y.applyUpdate(document, payload, connection);
      if (verdict.changes.length) options.onAccepted?.(documentName, person, verdict.changes);
    },
  };
}
