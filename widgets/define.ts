// Registers every `candor-*` tag. Safe to import twice, even from two copies of the library:
// the same version is a no-op, another version warns once and keeps the first.
import { defineElement } from './shared/define.ts';
import { CandorProgress } from './progress/progress.ts';
import { CandorSparkline } from './sparkline/sparkline.ts';
import { CandorKeyResult } from './key-result/key-result.ts';
import { CandorObjective } from './objective/objective.ts';
import { CandorAlignmentTree } from './alignment-tree/alignment-tree.ts';
import { CandorCheckinFeed } from './checkin-feed/checkin-feed.ts';
import { CandorTeamBoard } from './team-board/team-board.ts';
import { CandorCheckinForm } from './checkin-form/checkin-form.ts';

/** Every tag and its class. */
export const CANDOR_ELEMENTS = {
  'candor-progress': CandorProgress,
  'candor-sparkline': CandorSparkline,
  'candor-key-result': CandorKeyResult,
  'candor-objective': CandorObjective,
  'candor-alignment-tree': CandorAlignmentTree,
  'candor-checkin-feed': CandorCheckinFeed,
  'candor-team-board': CandorTeamBoard,
  'candor-checkin-form': CandorCheckinForm,
} as const;

for (const [tag, ctor] of Object.entries(CANDOR_ELEMENTS)) defineElement(tag, ctor);

declare global {
  interface HTMLElementTagNameMap {
    'candor-progress': CandorProgress;
    'candor-sparkline': CandorSparkline;
    'candor-key-result': CandorKeyResult;
    'candor-objective': CandorObjective;
    'candor-alignment-tree': CandorAlignmentTree;
    'candor-checkin-feed': CandorCheckinFeed;
    'candor-team-board': CandorTeamBoard;
    'candor-checkin-form': CandorCheckinForm;
  }
}
