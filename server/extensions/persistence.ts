/**
 * Persistence: each space's Yjs updates in SQLite. Loaded when Hocuspocus opens a space, appended
 * synchronously as Yjs applies each update (before Hocuspocus acknowledges it to the sender, so an
 * acknowledged edit survives a crash), and compacted into one state when Hocuspocus stores the space
 * (debounced after the last edit) and at shutdown.
 *
 * Hocuspocus schedules that store only for changes made through a connection: it skips changes
 * relayed from other instances through Redis, and changes with no origin. Those are scheduled here,
 * on the same debouncer (same key, same delay), so a relayed update is folded into the stored state
 * as soon as a local one would be, instead of piling up in the log until this instance's next edit.
 */
import type { Document, Extension, onChangePayload, onLoadDocumentPayload, onStoreDocumentPayload } from '@hocuspocus/server';
import type { SpaceStorage } from '../storage.ts';
import { RELAY_ORIGIN } from './redis.ts';

const LOAD_ORIGIN = Symbol('candor:load');

export class PersistenceExtension implements Extension {
  readonly extensionName = 'candor-persistence';

  constructor(
    private readonly storage: SpaceStorage,
    private readonly log: (line: string) => void = (line) => console.log(line),
  ) {}

  async onLoadDocument({ document, documentName }: onLoadDocumentPayload): Promise<void> {
    this.storage.loadInto(documentName, document, LOAD_ORIGIN);
    document.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === LOAD_ORIGIN) return;
      this.storage.append(documentName, update);
    });
  }

  async onChange(payload: onChangePayload): Promise<void> {
    const origin = payload.transactionOrigin as unknown;
    if (origin && origin !== RELAY_ORIGIN) return; // Hocuspocus schedules the store itself
    payload.instance.storeDocumentHooks(payload.document, payload).catch(() => {
      // logged by Hocuspocus; the updates stay in the log and the next store folds them
    });
  }

  async onStoreDocument({ document, documentName }: onStoreDocumentPayload): Promise<void> {
    try {
      this.storage.compact(documentName, document);
    } catch (e) {
      // Nothing is lost: every update is in the log already; the next store (or shutdown) folds it.
      this.log(`could not compact ${documentName}: ${(e as Error).message} (its updates stay in the log; retried at the next change)`);
    }
  }

  /** Folds every loaded space into one state (at shutdown); a failure leaves that space's log as it is. */
  compactAll(documents: Map<string, Document>, log: (line: string) => void): void {
    for (const [name, doc] of documents) {
      try {
        this.storage.compact(name, doc);
      } catch (e) {
        log(`could not compact ${name}: ${(e as Error).message} (its updates are in the log)`);
      }
    }
  }
}
