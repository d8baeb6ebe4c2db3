// The widget classes, unregistered: import `./define.ts` to register the `candor-*` tags, or call
// `defineElement` with your own names.
export { CandorElement } from './shared/base.ts';
export { CandorProgress } from './progress/progress.ts';
export { CandorSparkline } from './sparkline/sparkline.ts';
export { CandorKeyResult } from './key-result/key-result.ts';
export { CandorObjective } from './objective/objective.ts';
export { CandorAlignmentTree } from './alignment-tree/alignment-tree.ts';
export { CandorCheckinFeed } from './checkin-feed/checkin-feed.ts';
export { CandorTeamBoard } from './team-board/team-board.ts';
export { CandorCheckinForm } from './checkin-form/checkin-form.ts';
export { defineElement, WIDGETS_VERSION } from './shared/define.ts';
export { loadDocument, onDocument, watchLive, clearDocumentCache, CandorLoadError, type LoadOptions } from './shared/loader.ts';
export { emit } from './shared/emit.ts';
export type * from './shared/events.ts';
