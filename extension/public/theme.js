// Runs before any bundle (a file, because MV3 forbids inline scripts): sets the theme class on <html>
// from the mirror in localStorage, so the first frame already has the right colours.
(function () {
  var theme = 'system';
  try { theme = localStorage.getItem('candor:theme') || 'system'; } catch (e) {}
  var dark = theme === 'dark' || (theme !== 'light' && window.matchMedia && matchMedia('(prefers-color-scheme: dark)').matches);
  var root = document.documentElement;
  root.classList.add(dark ? 'theme-dark' : 'theme-light');
  root.setAttribute('data-theme', theme);
  // The language the messages are in (the browser falls back to English), for screen readers.
  try {
    root.lang = chrome.i18n.getMessage('lang') || 'en';
  } catch (e) {}
})();
