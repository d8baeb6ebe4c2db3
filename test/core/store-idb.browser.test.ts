// The shared IndexedDB suite on Chromium's real IndexedDB and BroadcastChannel.
import { storeSuite } from './store-idb.shared.ts';

storeSuite('chromium');
