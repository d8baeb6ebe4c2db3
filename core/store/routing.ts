/** Where the workspace writes a record: the rule's {@link homeSpace}, with errors as mutation errors. */
import { CandorMutationError, type CheckIn, type CollectionName, type KeyResult, type Objective, type RecordOf, type Reflection } from '../model/index.ts';
import { homeSpace } from '../rules/rule.ts';
import type { SpaceId } from '../rules/spaces.ts';

/** What routing needs to know about records that are not the one being routed. */
export interface RoutingContext {
  /** The person this workspace belongs to: private objectives (and what hangs off them) go to `private:<me>`. */
  me?: string;
  objective?: (id: string) => Pick<Objective, 'owner' | 'visibility'> | undefined;
  keyResult?: (id: string) => Pick<KeyResult, 'objectiveId'> | undefined;
  checkIn?: (id: string) => Pick<CheckIn, 'keyResultId'> | undefined;
  reflection?: (id: string) => Pick<Reflection, 'objectiveId'> | undefined;
}

const PATHS: Partial<Record<CollectionName, string>> = {
  keyResults: 'objectiveId',
  checkIns: 'keyResultId',
  reflections: 'objectiveId',
  comments: 'target.id',
  kudos: 'target.id',
};

/**
 * The space a record belongs in, by the record rule (core/rules): an objective by its owner and
 * visibility, what hangs off it beside it, what is said about a record beside that record.
 * Throws a {@link CandorMutationError} when a record it depends on cannot be found.
 */
export function spaceOfRecord<C extends CollectionName>(collection: C, record: RecordOf<C>, ctx: RoutingContext = {}): SpaceId {
  try {
    return homeSpace(
      collection,
      record,
      {
        objective: (id) => ctx.objective?.(id),
        keyResult: (id) => ctx.keyResult?.(id),
        checkIn: (id) => ctx.checkIn?.(id),
        reflection: (id) => ctx.reflection?.(id),
      },
      ctx.me,
    );
  } catch (e) {
    if (e instanceof RangeError) throw new CandorMutationError(e.message, collection === 'objectives' ? 'visibility' : (PATHS[collection] ?? ''));
    throw e;
  }
}
