/**
 * Persistence: each space's Yjs updates in SQLite. Loaded when Hocuspocus opens a space, appended
 * synchronously as Yjs applies each update (before Hocuspocus acknowledges it to the sender, so an
 * acknowledged edit survives a crash), and compacted into one state when Hocuspocus stores the space
 * (debounced after the last edit) and at shutdown.
 */
import type { Document, Extension, onLoadDocumentPayload, onStoreDocumentPayload } from '@hocuspocus/server';
import type { SpaceStorage } from '../storage.ts';

const LOAD_ORIGIN = Symbol('candor:load');

export class PersistenceExtension implements Extension {
  readonly extensionName = 'candor-persistence';

  constructor(private readonly storage: SpaceStorage) {}

  async onLoadDocument({ document, documentName }: onLoadDocumentPayload): Promise<void> {
    this.storage.loadInto(documentName, document, LOAD_ORIGIN);
    document.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === LOAD_ORIGIN) return;
      this.storage.append(documentName, update);
    });
  }

  async onStoreDocument({ document, documentName }: onStoreDocumentPayload): Promise<void> {
    this.storage.compact(documentName, document);
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
