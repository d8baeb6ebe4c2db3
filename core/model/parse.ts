import * as z from 'zod/mini';
import { ZCandorDocument, RECORD_SCHEMAS, FORMAT, VERSION, type CandorDocument, type CollectionName, type RecordOf } from './document.ts';
import { CandorFormatError, type FormatIssue } from './errors.ts';
import { fromZodIssues } from './issues.ts';
import { checkIntegrity } from './integrity.ts';

export type ParseResult<T> =
  | { ok: true; value: T; warnings: FormatIssue[] }
  | { ok: false; error: CandorFormatError };

export interface ParseOptions {
  /** Run the integrity checks (duplicate ids, dangling references, alignment cycles). Default true. */
  integrity?: boolean;
}

const fail = (issues: FormatIssue[], prefix = ''): { ok: false; error: CandorFormatError } => ({
  ok: false,
  error: new CandorFormatError(issues, prefix),
});

/**
 * Reads a Candor document from parsed JSON. Never throws: a result holds the document (with defaults
 * filled, unknown fields kept) and any warnings, or a {@link CandorFormatError} naming every problem.
 * A document of a newer version is refused whole.
 */
export function parseDocument(input: unknown, options: ParseOptions = {}): ParseResult<CandorDocument> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return fail([{ path: '', message: `expected a Candor document (a JSON object), got ${Array.isArray(input) ? 'a list' : input === null ? 'null' : typeof input}`, severity: 'error' }]);
  }
  const head = input as { format?: unknown; version?: unknown };
  if (head.format !== FORMAT) {
    return fail([{ path: 'format', message: `expected "${FORMAT}", got ${JSON.stringify(head.format) ?? 'nothing'}: this is not a Candor document`, severity: 'error' }]);
  }
  if (typeof head.version === 'number' && Number.isInteger(head.version) && head.version > VERSION) {
    return fail([
      {
        path: 'version',
        message: `this document is version ${head.version}, written by a newer Candor; this Candor reads version ${VERSION} and below. Update Candor to open it.`,
        severity: 'error',
      },
    ]);
  }
  const parsed = z.safeParse(ZCandorDocument, input);
  if (!parsed.success) return fail(fromZodIssues(parsed.error.issues, input));
  const found = options.integrity === false ? [] : checkIntegrity(parsed.data);
  const errors = found.filter((i) => i.severity === 'error');
  if (errors.length) return fail(errors);
  return { ok: true, value: parsed.data, warnings: found.filter((i) => i.severity !== 'error') };
}

/** Like {@link parseDocument} but from JSON text; a syntax error is reported with its position. */
export function parseDocumentText(text: string, options?: ParseOptions): ParseResult<CandorDocument> {
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    return fail([{ path: '', message: `not valid JSON: ${(e as Error).message}`, severity: 'error' }]);
  }
  return parseDocument(json, options);
}

/** Like {@link parseDocument}, but throws the {@link CandorFormatError}. */
export function readDocument(input: unknown, options?: ParseOptions): CandorDocument {
  const r = parseDocument(input, options);
  if (!r.ok) throw r.error;
  return r.value;
}

/** Validates one record of a collection; paths in the error start with `collection[index]` when an index is given. */
export function parseRecord<C extends CollectionName>(collection: C, input: unknown, index?: number): ParseResult<RecordOf<C>> {
  const schema = RECORD_SCHEMAS[collection] as unknown as z.ZodMiniType<RecordOf<C>>;
  const parsed = z.safeParse(schema, input);
  if (parsed.success) return { ok: true, value: parsed.data, warnings: [] };
  const prefix = index === undefined ? [collection] : [collection, index];
  return fail(fromZodIssues(parsed.error.issues, input, prefix));
}
