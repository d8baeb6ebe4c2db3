import * as z from 'zod/mini';
// The ISO builders themselves rather than `z.iso.*`: reading through the `z.iso` namespace makes bundlers keep
// the whole namespace (time and duration formats with their regexes) in every browser bundle.
import { _isoDate, _isoDateTime } from 'zod/v4/core';

/** A record id: a non-empty string without surrounding whitespace. */
export const ZId = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));

/** An instant: ISO 8601 with a time-zone offset or `Z`. */
export const ZInstant = _isoDateTime(z.ZodMiniISODateTime, { offset: true });

/** A calendar day: `YYYY-MM-DD`. */
export const ZDay = _isoDate(z.ZodMiniISODate);

/** A finite number (no NaN, no Infinity). */
export const ZFinite = z.number().check(z.refine(Number.isFinite, 'expected a finite number'));

/** A share from 0 to 1 inclusive. */
export const ZUnit = z.number().check(z.gte(0), z.lte(1));

/** Non-empty, trimmed text with an upper bound so a feed cannot carry megabytes in one field. */
export const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

/** Optional free text that may be empty. */
export const optionalText = (max: number) => z.optional(z.string().check(z.maxLength(max)));

/** A list that defaults to empty when missing, so older or hand-written files load. */
export const list = <T extends z.ZodMiniType>(item: T) => z._default(z.array(item), () => []);
