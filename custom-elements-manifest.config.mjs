// `npm run cem`: regenerates custom-elements.json (committed, shipped) from the widgets' JSDoc.

/** Internal reactive state (`_loaded`, `_errors`, …) is not public API: keep it out of the manifest. */
function dropInternals() {
  return {
    name: 'candor-drop-internals',
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules) {
        for (const d of mod.declarations ?? []) {
          if (d.attributes) d.attributes = d.attributes.filter((a) => !a.name.startsWith('_'));
          if (d.members) d.members = d.members.filter((m) => !m.name.startsWith('_') && !m.name.startsWith('#') && m.privacy !== 'private');
        }
      }
    },
  };
}

export default {
  globs: ['widgets/**/*.ts'],
  exclude: ['widgets/demo/**', 'widgets/**/*.styles.ts'],
  outdir: '.',
  litelement: true,
  packagejson: false,
  plugins: [dropInternals()],
};
