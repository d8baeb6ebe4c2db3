// The shared IndexedDB suite on fake-indexeddb in Node (the same suite runs in Chromium: store-idb.browser.test.ts).
import 'fake-indexeddb/auto';
import { forceCloseDatabase } from 'fake-indexeddb';
import { storeSuite } from './store-idb.shared.ts';

storeSuite('fake-indexeddb', { forceClose: (db) => forceCloseDatabase(db as never) });
