import * as z from 'zod/mini';
import { ZId, ZInstant, ZUnit, text, optionalText } from './primitives.ts';
import { ZMetric } from './metric.ts';

export const ZOwner = z.looseObject({
  kind: z.enum(['person', 'team', 'company']),
  id: ZId,
});
export type Owner = z.infer<typeof ZOwner>;

/**
 * An objective. `parentId` aligns it to the objective it supports (any owner, any space);
 * `rollup` says whether its score comes from its key results, its aligned children, or both.
 */
export const ZObjective = z.looseObject({
  id: ZId,
  cycleId: ZId,
  title: text(300),
  description: optionalText(5000),
  owner: ZOwner,
  parentId: z.optional(ZId),
  type: z._default(z.enum(['committed', 'aspirational']), 'committed'),
  visibility: z._default(z.enum(['public', 'team', 'private']), 'public'),
  state: z._default(z.enum(['draft', 'active', 'closed']), 'active'),
  rollup: z._default(z.enum(['key-results', 'children', 'both']), 'key-results'),
  order: z.optional(z.number()),
  createdAt: ZInstant,
  updatedAt: ZInstant,
});
export type Objective = z.infer<typeof ZObjective>;
export type ObjectiveType = Objective['type'];

/** A key result of an objective; `order` sorts it among its siblings. */
export const ZKeyResult = z.looseObject({
  id: ZId,
  objectiveId: ZId,
  title: text(300),
  ownerId: z.optional(ZId),
  weight: z._default(z.number().check(z.gte(0), z.refine(Number.isFinite, 'expected a finite number')), 1),
  order: z._default(z.number(), 0),
  metric: ZMetric,
});
export type KeyResult = z.infer<typeof ZKeyResult>;

/**
 * A check-in: the value now (numeric metrics), the milestones done, or done/not done,
 * with the author's confidence (0..1) and an optional note and blockers.
 */
export const ZCheckIn = z.looseObject({
  id: ZId,
  keyResultId: ZId,
  authorId: ZId,
  at: ZInstant,
  value: z.optional(z.number().check(z.refine(Number.isFinite, 'expected a finite number'))),
  milestonesDone: z.optional(z.array(ZId)),
  done: z.optional(z.boolean()),
  confidence: ZUnit,
  note: optionalText(5000),
  blockers: optionalText(5000),
});
export type CheckIn = z.infer<typeof ZCheckIn>;

export const TARGET_KINDS = ['objective', 'keyResult', 'checkIn', 'reflection', 'person', 'team'] as const;
export const ZTarget = z.looseObject({ kind: z.enum(TARGET_KINDS), id: ZId });
export type Target = z.infer<typeof ZTarget>;

/** A comment on an objective, key result, check-in or reflection. */
export const ZComment = z.looseObject({
  id: ZId,
  target: ZTarget,
  authorId: ZId,
  at: ZInstant,
  text: text(5000),
});
export type Comment = z.infer<typeof ZComment>;

/** Recognition: from one person to one or more people, about something they did. */
export const ZKudos = z.looseObject({
  id: ZId,
  target: ZTarget,
  fromId: ZId,
  toIds: z.array(ZId).check(z.minLength(1, 'kudos need at least one recipient')),
  at: ZInstant,
  message: z._default(z.string().check(z.maxLength(1000)), ''),
});
export type Kudos = z.infer<typeof ZKudos>;

/** An end-of-cycle reflection: learning, not blame. */
export const ZReflection = z.looseObject({
  id: ZId,
  objectiveId: ZId,
  authorId: ZId,
  at: ZInstant,
  score: ZUnit,
  wentWell: z._default(z.string().check(z.maxLength(5000)), ''),
  learned: z._default(z.string().check(z.maxLength(5000)), ''),
  nextTime: z._default(z.string().check(z.maxLength(5000)), ''),
});
export type Reflection = z.infer<typeof ZReflection>;
