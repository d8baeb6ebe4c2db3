import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';
import { resolve, sep } from 'node:path';
import type { Plugin } from 'vite';

/**
 * core/scoring reads two constants from core/model; the model's index also builds every zod schema.
 * Pointing scoring's model import at a zod-free copy of those constants keeps zod out of the new tab's
 * first paint (scoring + Preact). Type imports are erased before this runs.
 */
const FIRST_PAINT = [
  /[\\/]node_modules[\\/](preact|@wxt-dev[\\/]browser)[\\/]/,
  /[\\/]core[\\/]scoring[\\/]/,
  /[\\/]extension[\\/]lib[\\/](model-constants|snapshot|i18n|format|workspaces)\.ts$/,
  /[\\/]extension[\\/]state[\\/]derive\.ts$/,
  /[\\/]extension[\\/]components[\\/](goals|checkin-form|demo-banner)\.tsx$/,
  /[\\/]extension[\\/]entrypoints[\\/]newtab[\\/]layout\.tsx$/,
];

function scoringWithoutZod(): Plugin {
  const constants = resolve(import.meta.dirname, 'extension/lib/model-constants.ts');
  return {
    name: 'candor:scoring-without-zod',
    enforce: 'pre',
    resolveId(source, importer) {
      if (importer && /[\\/]core[\\/]scoring[\\/]/.test(importer) && source === '../model/index.ts') return constants;
      return undefined;
    },
  };
}

/**
 * The options page draws OKRs with the Candor widgets (`extension/components/okr-widgets.ts`), and the new
 * tab's full app draws sparklines with them. Shared modules would be split into chunks both pages load and
 * would change the new tab's first-paint graph (scoring lives in its first-paint chunk: functions only the
 * widgets call would be kept and exported there, and a chunk takes its modules' dependencies along, so
 * the org tree would ride in). So the options page gets its own instances (`?options`) of the widgets,
 * Lit and the scoring the widgets call, bundled with that page; the new tab is built exactly as before.
 * Only scoring reached through the widgets' shared data layer (`scoreDocument`, which every page already
 * loads) stays shared. Each page is its own document, so each has one copy of Lit and one registry.
 */
const OPTIONS_COPY = '?options';
function optionsWidgets(): Plugin {
  const root = resolve(import.meta.dirname, 'extension/components/okr-widgets.ts');
  const widgets = resolve(import.meta.dirname, 'widgets') + sep;
  const shared = resolve(import.meta.dirname, 'widgets/shared') + sep;
  const scoring = resolve(import.meta.dirname, 'core/scoring') + sep;
  const lit = /[\\/]node_modules[\\/](lit|lit-html|lit-element|@lit[\\/][^\\/]+)[\\/]/;
  return {
    name: 'candor:options-widgets',
    enforce: 'pre',
    async resolveId(source, importer) {
      if (!importer || (importer !== root && !importer.endsWith(OPTIONS_COPY))) return undefined;
      const from = importer.endsWith(OPTIONS_COPY) ? importer.slice(0, -OPTIONS_COPY.length) : importer;
      const resolved = await this.resolve(source, from, { skipSelf: true });
      if (!resolved || resolved.external || resolved.id.includes('?')) return resolved;
      const id = resolved.id;
      const copy = id.startsWith(widgets) || lit.test(id) || (id.startsWith(scoring) && !from.startsWith(shared));
      return copy ? id + OPTIONS_COPY : resolved;
    },
  };
}

// The Candor browser extension: my goals on every new tab, a check-in one click away.
// Permissions stay minimal; host access is optional and asked for one origin at a time (team feeds, server).
export default defineConfig({
  srcDir: 'extension',
  outDir: '.output',
  publicDir: 'extension/public',
  vite: () => ({
    plugins: [preact(), scoringWithoutZod(), optionsWidgets()],
    build: {
      target: 'es2022',
      modulePreload: { polyfill: false },
      rollupOptions: {
        // The model's modules only define schemas and functions: declaring them free of side effects
        // lets the first-paint chunk (scoring + Preact) drop the zod schemas it never uses.
        treeshake: { moduleSideEffects: (id: string) => !/[\\/]core[\\/]model[\\/]/.test(id) },
        output: {
          // Keep what the first paint never needs in chunks of their own, loaded after it.
          manualChunks(id: string) {
            if (/[\\/]node_modules[\\/]zod[\\/]/.test(id)) return 'zod';
            if (/[\\/]node_modules[\\/](yjs|lib0|y-protocols)[\\/]/.test(id)) return 'yjs';
            // Everything the new tab's first paint runs, in one chunk (fewer modules to fetch and link).
            if (!id.endsWith(OPTIONS_COPY) && FIRST_PAINT.some((re) => re.test(id))) return 'paint';
            return undefined;
          },
        },
      },
    },
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
      ? {
          browser_specific_settings: {
            // Candor sends nothing anywhere unless the person connects a server or follows a feed.
            gecko: { id: 'candor@candor.example', strict_min_version: '128.0', data_collection_permissions: { required: ['none'] } },
          },
        }
      : {}),
  }),
});
