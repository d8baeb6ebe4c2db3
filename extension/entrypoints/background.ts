import { defineBackground } from 'wxt/utils/define-background';
import { startWorker } from '../lib/worker.ts';
import { readSnapshot } from '../lib/snapshot.ts';
import { refreshFeeds } from '../lib/feeds.ts';
import { activeWorkspace, loadSettings } from '../lib/settings.ts';

// Listeners are registered synchronously at the top of the worker; no state is kept in globals.
export default defineBackground({
  type: 'module',
  main() {
    startWorker({
      async loadDocument() {
        // The workspace the pages show: mine, or the demo organisation (its own database).
        const { me, database } = activeWorkspace(await loadSettings());
        return me ? readSnapshot(me, database) : null;
      },
      refreshFeeds: () => refreshFeeds(),
    });
  },
});
