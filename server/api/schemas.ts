/**
 * The bodies of the HTTP write API: each record kind without the fields the server fills (`id`,
 * `authorId` / `fromId` from the signed-in person, `at`). Built from the model's own field schemas
 * (core/model), so a body is held to exactly what the record will be held to; strict, so a misspelt
 * field is named rather than silently kept.
 */
import * as z from 'zod/mini';
import { ZCheckIn, ZComment, ZKudos, ZReflection, fromZodIssues, type CollectionName } from '../../core/model/index.ts';
import type { FieldError } from './problem.ts';

const c = ZCheckIn.shape;
export const ZCheckInBody = z.strictObject({
  keyResultId: c.keyResultId,
  value: c.value,
  milestonesDone: c.milestonesDone,
  done: c.done,
  confidence: c.confidence,
  note: c.note,
  blockers: c.blockers,
});

export const ZCommentBody = z.strictObject({ target: ZComment.shape.target, text: ZComment.shape.text });

export const ZKudosBody = z.strictObject({ target: ZKudos.shape.target, toIds: ZKudos.shape.toIds, message: z.optional(z.string().check(z.maxLength(1000))) });

const r = ZReflection.shape;
export const ZReflectionBody = z.strictObject({
  objectiveId: r.objectiveId,
  score: r.score,
  wentWell: z.optional(z.string().check(z.maxLength(5000))),
  learned: z.optional(z.string().check(z.maxLength(5000))),
  nextTime: z.optional(z.string().check(z.maxLength(5000))),
});

export type CheckInBody = z.infer<typeof ZCheckInBody>;
export type CommentBody = z.infer<typeof ZCommentBody>;
export type KudosBody = z.infer<typeof ZKudosBody>;
export type ReflectionBody = z.infer<typeof ZReflectionBody>;

/** The write routes, by URL segment: the collection, the body schema, the body field that names what the record hangs off. */
export const WRITE_ROUTES = {
  'check-ins': { collection: 'checkIns', body: ZCheckInBody, reference: 'keyResultId', withdraw: true, singular: 'check-in' },
  comments: { collection: 'comments', body: ZCommentBody, reference: 'target', withdraw: true, singular: 'comment' },
  kudos: { collection: 'kudos', body: ZKudosBody, reference: 'target', withdraw: false, singular: 'kudos' },
  reflections: { collection: 'reflections', body: ZReflectionBody, reference: 'objectiveId', withdraw: false, singular: 'reflection' },
} as const satisfies Record<string, { collection: CollectionName; body: z.ZodMiniType; reference: string; withdraw: boolean; singular: string }>;
export type WriteRoute = keyof typeof WRITE_ROUTES;

/** Fields the server fills; a body that sets one is told so. */
export const SERVER_FIELDS = new Set(['id', 'authorId', 'fromId', 'at']);

/**
 * Validates a body; returns it or the errors, one per field (an unknown field is named as itself, a
 * field the server fills says so).
 */
export function parseBody<S extends z.ZodMiniType>(schema: S, input: unknown): { ok: true; value: z.infer<S> } | { ok: false; errors: FieldError[] } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '', message: `expected a JSON object, got ${input === null ? 'null' : Array.isArray(input) ? 'a list' : typeof input}` }] };
  }
  const parsed = z.safeParse(schema, input);
  if (parsed.success) return { ok: true, value: parsed.data as z.infer<S> };
  const errors: FieldError[] = [];
  const plain = parsed.error.issues.filter((i) => i.code !== 'unrecognized_keys');
  for (const issue of parsed.error.issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const at = issue.path.map(String);
    for (const key of issue.keys) {
      // A key that is not a plain name is written as ["…"], so even "" names a field.
      const name = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
      const path = at.length ? `${at.join('.')}${name.startsWith('[') ? '' : '.'}${name}` : name;
      errors.push({ path, message: at.length === 0 && SERVER_FIELDS.has(key) ? 'is set by the server (from who you are and when); leave it out' : 'is not a field of this record' });
    }
  }
  for (const issue of fromZodIssues(plain, input)) errors.push({ path: issue.path, message: issue.message });
  return { ok: false, errors };
}
