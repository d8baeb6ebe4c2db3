import * as z from 'zod/mini';
import { ZId, text, list } from './primitives.ts';

/** A person in the organisation. `timeZone` is an IANA name used for check-in due dates. */
export const ZPerson = z.looseObject({
  id: ZId,
  name: text(200),
  email: z.optional(z.email()),
  teamIds: list(ZId),
  timeZone: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
});
export type Person = z.infer<typeof ZPerson>;

/** A team; `parentId` nests teams under teams (company → division → team). */
export const ZTeam = z.looseObject({
  id: ZId,
  name: text(200),
  parentId: z.optional(ZId),
  leadIds: list(ZId),
});
export type Team = z.infer<typeof ZTeam>;
