import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

// The Candor browser extension: my goals on every new tab, a check-in one click away.
// Permissions stay minimal; host access is optional and asked for one origin at a time (team feeds, server).
export default defineConfig({
  srcDir: 'extension',
  outDir: '.output',
  publicDir: 'extension/public',
  vite: () => ({
    plugins: [preact()],
    build: { target: 'es2022', modulePreload: { polyfill: false } },
  }),
  manifest: ({ browser }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    permissions: ['storage', 'alarms', 'notifications', 'unlimitedStorage'],
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    action: { default_title: '__MSG_actionTitle__' },
    commands: {
      _execute_action: {
        suggested_key: { default: 'Alt+Shift+K', mac: 'Alt+Shift+K' },
        description: '__MSG_commandCheckIn__',
      },
    },
    ...(browser === 'firefox'
      ? { browser_specific_settings: { gecko: { id: 'candor@candor.example', strict_min_version: '115.0' } } }
      : {}),
  }),
});
