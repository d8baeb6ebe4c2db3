// Space logic: Yjs spaces, materialisation, the typed workspace. Runs in Node and browsers.
// Browser persistence (IndexedDB) and cross-page notification live in ./idb.ts and ./broadcast.ts.
export * from './space.ts';
export * from './workspace.ts';
export * from './errors.ts';
export * from './apply.ts';
