import * as z from 'zod/mini';
import { ZId, text, list } from './primitives.ts';

/**
 * zod's `z.int()` check as a plain check: the same issues in the same order (a fraction, NaN or an
 * infinity is `invalid_type` expecting `int` and stops the later checks; an integer outside the safe
 * range is `too_big`/`too_small`). `z.int()` itself is a number-format schema whose machinery
 * (format ranges, its schema class) costs browser bundles 0.4 kB gzip for three fields.
 */
const int = z.check<number>((payload) => {
  const input = payload.value;
  if (!Number.isInteger(input)) {
    payload.issues.push({ expected: 'int', format: 'safeint', code: 'invalid_type', continue: false, input });
  } else if (!Number.isSafeInteger(input)) {
    const note = 'Integers must be within the safe integer range.';
    payload.issues.push(
      input > 0
        ? { input, code: 'too_big', maximum: Number.MAX_SAFE_INTEGER, note, origin: 'int', inclusive: true, continue: true }
        : { input, code: 'too_small', minimum: Number.MIN_SAFE_INTEGER, note, origin: 'int', inclusive: true, continue: true },
    );
  }
});

/**
 * When a person checks in: every week (or two, or four) on a weekday (1 = Monday … 7 = Sunday)
 * at an hour, in the person's `timeZone`. A key result is due when it has no check-in since the
 * last such moment.
 */
export const ZCadence = z.looseObject({
  everyWeeks: z._default(z.number().check(int, z.gte(1), z.lte(4)), 1),
  weekday: z._default(z.number().check(int, z.gte(1), z.lte(7)), 1),
  hour: z._default(z.number().check(int, z.gte(0), z.lte(23)), 9),
});
export type Cadence = z.infer<typeof ZCadence>;
export const DEFAULT_CADENCE: Cadence = { everyWeeks: 1, weekday: 1, hour: 9 };

/** A person in the organisation. `timeZone` is an IANA name used for check-in due dates. */
export const ZPerson = z.looseObject({
  id: ZId,
  name: text(200),
  email: z.optional(z.email()),
  teamIds: list(ZId),
  /** Teams this person has left (the team server keeps it): what they wrote there stays theirs. */
  formerTeamIds: z.optional(z.array(ZId)),
  timeZone: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  cadence: z.optional(ZCadence),
});
export type Person = z.infer<typeof ZPerson>;

/**
 * A team; `parentId` nests teams under teams (company → division → team). `visibility` `members`:
 * only its members read its spaces (on a team server, the server's config sets it).
 */
export const ZTeam = z.looseObject({
  id: ZId,
  name: text(200),
  parentId: z.optional(ZId),
  leadIds: list(ZId),
  visibility: z.optional(z.enum(['public', 'members'])),
});
export type Team = z.infer<typeof ZTeam>;
