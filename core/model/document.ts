import * as z from 'zod/mini';
import { ZInstant, list } from './primitives.ts';
import { ZPerson, ZTeam } from './people.ts';
import { ZCycle } from './cycle.ts';
import { ZObjective, ZKeyResult, ZCheckIn, ZComment, ZKudos, ZReflection } from './objective.ts';

export const FORMAT = 'candor';
/** The document version this build reads and writes. Versions only go up. */
export const VERSION = 1;

/** The collections of a Candor document, in the order they are written. */
export const COLLECTIONS = [
  'people',
  'teams',
  'cycles',
  'objectives',
  'keyResults',
  'checkIns',
  'comments',
  'kudos',
  'reflections',
] as const;
export type CollectionName = (typeof COLLECTIONS)[number];

/** The schema of each record kind, by collection. */
export const RECORD_SCHEMAS = {
  people: ZPerson,
  teams: ZTeam,
  cycles: ZCycle,
  objectives: ZObjective,
  keyResults: ZKeyResult,
  checkIns: ZCheckIn,
  comments: ZComment,
  kudos: ZKudos,
  reflections: ZReflection,
} as const;

/** The Candor document, version 1: what a `src` URL serves, export writes and a workspace materialises to. */
export const ZCandorDocument = z.looseObject({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  generatedAt: z._default(ZInstant, () => new Date().toISOString()),
  people: list(ZPerson),
  teams: list(ZTeam),
  cycles: list(ZCycle),
  objectives: list(ZObjective),
  keyResults: list(ZKeyResult),
  checkIns: list(ZCheckIn),
  comments: list(ZComment),
  kudos: list(ZKudos),
  reflections: list(ZReflection),
});
export type CandorDocument = z.infer<typeof ZCandorDocument>;
export type RecordOf<C extends CollectionName> = CandorDocument[C][number];

/** An empty document, stamped now. */
export function emptyDocument(at: string = new Date().toISOString()): CandorDocument {
  return {
    format: FORMAT,
    version: VERSION,
    generatedAt: at,
    people: [],
    teams: [],
    cycles: [],
    objectives: [],
    keyResults: [],
    checkIns: [],
    comments: [],
    kudos: [],
    reflections: [],
  };
}
