// The two values core/scoring reads from core/model at run time, without the zod schemas that live
// beside them. wxt.config.ts points core/scoring's `../model/index.ts` imports here so the first
// paint (Preact + scoring) ships no zod. test/extension/snapshot.test.ts keeps these equal to the model's.
import type { Cadence } from '../../core/model/index.ts';

export const DEFAULT_CADENCE: Cadence = { everyWeeks: 1, weekday: 1, hour: 9 };
export const MAX_ALIGNMENT_DEPTH = 32;
