// The shared IndexedDB suite on Chromium's real IndexedDB and BroadcastChannel.
import { storeSuite } from './store-idb.shared.ts';

// Chromium fires `close` on a connection it closes by itself; a page cannot force that, so fire the event.
storeSuite('chromium', { forceClose: (db) => db.dispatchEvent(new Event('close')) });
