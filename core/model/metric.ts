import * as z from 'zod/mini';
import { ZId, ZFinite, text } from './primitives.ts';

const unit = z.optional(z.string().check(z.maxLength(24)));

/** Move a number from `start` to `target`; direction follows start → target. */
export const ZProgressMetric = z
  .looseObject({
    kind: z.enum(['increase', 'decrease']),
    start: ZFinite,
    target: ZFinite,
    unit,
    format: z.optional(z.enum(['number', 'percent', 'currency'])),
    currency: z.optional(z.string().check(z.regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as EUR'))),
  })
  .check(
    z.refine((m) => m.start !== m.target, {
      message: 'start and target are equal: use a maintain-above or maintain-below key result to hold a value',
      path: ['target'],
    }),
    z.refine((m) => (m.kind === 'increase' ? m.target > m.start : m.target < m.start), {
      message: 'the target does not match the direction (increase needs target > start, decrease target < start)',
      path: ['target'],
    }),
  );

/** Keep a number at or above (or below) a threshold. */
export const ZMaintainMetric = z.looseObject({
  kind: z.enum(['maintain-above', 'maintain-below']),
  threshold: ZFinite,
  unit,
});

export const ZMilestone = z.looseObject({
  id: ZId,
  title: text(300),
  weight: z.optional(z.number().check(z.gte(0))),
});
export type Milestone = z.infer<typeof ZMilestone>;

/** A checklist; check-ins carry the ids of the milestones done. */
export const ZMilestonesMetric = z.looseObject({
  kind: z.literal('milestones'),
  items: z.array(ZMilestone).check(z.minLength(1, 'a milestones key result needs at least one milestone')),
});

/** Done or not done. */
export const ZBooleanMetric = z.looseObject({ kind: z.literal('boolean') });

/** The metric union, discriminated by `kind` so an error names the field of the right member. */
export const ZMetric = z.discriminatedUnion('kind', [ZProgressMetric, ZMaintainMetric, ZMilestonesMetric, ZBooleanMetric]);
export type Metric = z.infer<typeof ZMetric>;
export type ProgressMetric = z.infer<typeof ZProgressMetric>;
export type MaintainMetric = z.infer<typeof ZMaintainMetric>;
export type MilestonesMetric = z.infer<typeof ZMilestonesMetric>;
export type MetricKind = Metric['kind'];
export const METRIC_KINDS = ['increase', 'decrease', 'maintain-above', 'maintain-below', 'milestones', 'boolean'] as const;
