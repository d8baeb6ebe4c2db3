/**
 * Spaces: one Yjs document per writer policy, and how a set of them materialises to one Candor
 * document. This module gathers the parts, each in a file of its own:
 * - `../rules/spaces.ts`: space ids (`company`, `team:<id>`, `members:<id>`, `person:<id>`, `private:<id>`);
 * - `records.ts`: the layout of a space and reading and writing records in it;
 * - `routing.ts`: which space the workspace writes a record to (the rule's placement);
 * - `seed.ts`: splitting a Candor document into spaces;
 * - `materialise.ts`: reading spaces back into one document under the record rule.
 * No IndexedDB here: this runs in Node (server, CLI) and in browsers alike.
 */
export * from '../rules/spaces.ts';
export * from './records.ts';
export * from './routing.ts';
export * from './seed.ts';
export * from './materialise.ts';
