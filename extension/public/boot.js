// The new tab's and popup's boot script (a file, because MV3 forbids inline scripts). It runs while the HTML is
// parsed, before any module loads: sets the theme class, then starts reading my goals' snapshot from
// IndexedDB so the read overlaps the loading of the first-paint module (which picks the promise up).
// Never creates or upgrades the database; the first-paint module has the same read as a fallback.
(function () {
  performance.mark('candor:boot');
  var root = document.documentElement;
  var theme = 'system';
  var me = null;
  var database = 'candor'; // the demo organisation has its own (lib/workspaces.ts)
  try {
    theme = localStorage.getItem('candor:theme') || 'system';
    me = localStorage.getItem('candor:me');
    if (localStorage.getItem('candor:workspace') === 'demo') database += '-demo';
  } catch (e) {}
  var dark = theme === 'dark' || (theme !== 'light' && window.matchMedia && matchMedia('(prefers-color-scheme: dark)').matches);
  root.classList.add(dark ? 'theme-dark' : 'theme-light');
  root.setAttribute('data-theme', theme);
  // The language the messages are in (the browser falls back to English), for screen readers.
  try {
    root.lang = chrome.i18n.getMessage('lang') || 'en';
  } catch (e) {}
  performance.mark('candor:boot-theme');
  if (!me || !window.indexedDB) return;
  window.candorSnapshot = new Promise(function (resolve) {
    var request;
    try {
      request = indexedDB.open(database);
    } catch (e) {
      return resolve(null);
    }
    request.onupgradeneeded = function () {
      if (request.transaction) request.transaction.abort();
    };
    request.onerror = request.onblocked = function () {
      resolve(null);
    };
    request.onsuccess = function () {
      var db = request.result;
      db.onversionchange = function () {
        db.close();
      };
      if (!db.objectStoreNames.contains('snapshots')) {
        db.close();
        return resolve(null);
      }
      var get = db.transaction('snapshots', 'readonly').objectStore('snapshots').get(me);
      get.onsuccess = function () {
        db.close();
        resolve(get.result && get.result.document ? { me: me, database: database, document: get.result.document } : null);
      };
      get.onerror = function () {
        db.close();
        resolve(null);
      };
    };
  });
})();
