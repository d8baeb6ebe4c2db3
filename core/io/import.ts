import {
  sameJson,
  COLLECTIONS,
  checkIntegrity,
  parseDocument,
  type CandorDocument,
  type CollectionName,
  type FormatIssue,
} from '../model/index.ts';
import { CandorImportError, type ImportIssue } from './errors.ts';
import { readCsvRecords, type CsvImportOptions } from './csv-import.ts';

export type ImportFormat = 'json' | 'csv';

export interface ImportOptions extends CsvImportOptions {
  /** Default: detected (`{` first → JSON, else CSV; a non-string value is JSON already parsed). */
  format?: ImportFormat;
}

export interface ImportPlan {
  /** Records the import adds, in document order. `title` is the record's title, name or id. */
  added: { collection: CollectionName; id: string; title: string }[];
  /** Records the import changes, with the top-level fields that differ. */
  changed: { collection: CollectionName; id: string; fields: string[] }[];
  /** Incoming records identical to the existing ones. */
  unchanged: number;
  /** Things worth saying that did not stop the import (unknown columns, dangling optional references). */
  warnings: string[];
  /** The existing document with the import applied: what the caller writes, in one transaction. */
  document: CandorDocument;
}

export type ImportResult = { ok: true; plan: ImportPlan } | { ok: false; error: CandorImportError };

/** Detects JSON (a `{` or `[` first, after a BOM and spaces) or CSV. */
export function detectFormat(text: string): ImportFormat {
  const m = /^\uFEFF?\s*(.)/.exec(text.slice(0, 4096));
  return m && (m[1] === '{' || m[1] === '[') ? 'json' : 'csv';
}

/**
 * Plans an import onto `existing` without changing it: parses and validates the whole input (zod via the
 * model, then the integrity checks on the merged result) and returns what would be added and changed with
 * the merged document, or a {@link CandorImportError} naming the row and column (CSV) or path (JSON). A
 * failed import never yields a partial plan. Never throws.
 */
export function planImport(existing: CandorDocument, incoming: string | unknown, options: ImportOptions = {}): ImportResult {
  const format: ImportFormat = options.format ?? (typeof incoming === 'string' ? detectFormat(incoming) : 'json');
  try {
    return format === 'csv' ? planCsv(existing, incoming, options) : planJson(existing, incoming);
  } catch (e) {
    if (e instanceof CandorImportError) return { ok: false, error: e };
    if (e instanceof RangeError && /call stack|Invalid string length|Invalid array length/i.test(e.message)) {
      return { ok: false, error: new CandorImportError([{ path: '', message: `the input is too large or too deeply nested to import (${e.message})`, severity: 'error' }], format) };
    }
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: new CandorImportError([{ path: '', message: `the importer failed unexpectedly: ${message}`, severity: 'error' }], format, true) };
  }
}

function planJson(existing: CandorDocument, incoming: unknown): ImportResult {
  let value = incoming;
  if (typeof incoming === 'string') {
    try {
      value = JSON.parse(incoming.charCodeAt(0) === 0xfeff ? incoming.slice(1) : incoming);
    } catch (e) {
      return refuse([{ path: '', message: `not valid JSON: ${(e as Error).message}`, severity: 'error' }], 'json');
    }
  }
  // Shape first; references are checked on the merged result, since an import may point at existing records.
  const parsed = parseDocument(value, { integrity: false });
  if (!parsed.ok) return refuse(parsed.error.issues, 'json');
  const doc = parsed.value;
  const source = new Map<string, string>();
  const duplicates: FormatIssue[] = [];
  for (const name of COLLECTIONS) {
    (doc[name] as { id: string }[]).forEach((r, i) => {
      const key = `${name}:${r.id}`;
      if (source.has(key)) duplicates.push({ path: `${name}[${i}].id`, message: `duplicate id "${r.id}" (also ${source.get(key)})`, severity: 'error' });
      else source.set(key, `${name}[${i}]`);
    });
  }
  if (duplicates.length) return refuse(duplicates, 'json');
  const incomingRecords = Object.fromEntries(COLLECTIONS.map((c) => [c, doc[c]])) as unknown as IncomingRecords;
  return finish(existing, incomingRecords, 'json', (collection, id) => source.get(`${collection}:${id}`), []);
}

function planCsv(existing: CandorDocument, incoming: unknown, options: CsvImportOptions): ImportResult {
  if (typeof incoming !== 'string') return refuse([{ path: '', message: 'CSV input must be text', severity: 'error' }], 'csv');
  const now = options.now ?? new Date().toISOString();
  const records = readCsvRecords(existing, incoming, { ...options, now });
  const rowOf = (collection: CollectionName, id: string) => {
    const row = records.rows.get(`${collection}:${id}`);
    return row === undefined ? undefined : `row ${row}`;
  };
  return finish(existing, { cycles: records.cycles, objectives: records.objectives, keyResults: records.keyResults }, 'csv', rowOf, records.warnings, now);
}

type IncomingRecords = Partial<{ [C in CollectionName]: readonly { id: string }[] }>;

function refuse(issues: FormatIssue[] | ImportIssue[], format: ImportFormat): { ok: false; error: CandorImportError } {
  return { ok: false, error: new CandorImportError(issues, format) };
}

function label(rec: Record<string, unknown>): string {
  for (const k of ['title', 'name', 'text', 'message', 'note']) if (typeof rec[k] === 'string' && rec[k]) return (rec[k] as string).slice(0, 120);
  return String(rec.id);
}

/** Deep equality for JSON-shaped values (the model's `sameJson`). */
export const sameValue = sameJson;

function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !sameValue(before[k], after[k]));
}

function finish(
  existing: CandorDocument,
  incoming: IncomingRecords,
  format: ImportFormat,
  locate: (collection: CollectionName, id: string) => string | undefined,
  warnings: string[],
  now?: string,
): ImportResult {
  const added: ImportPlan['added'] = [];
  const changed: ImportPlan['changed'] = [];
  let unchanged = 0;
  const document = { ...existing } as CandorDocument;
  for (const name of COLLECTIONS) {
    const list = incoming[name];
    if (!list?.length) continue;
    const merged = [...(existing[name] as { id: string }[])] as Record<string, unknown>[];
    const index = new Map<string, number>();
    merged.forEach((r, i) => {
      if (!index.has(r.id as string)) index.set(r.id as string, i);
    });
    for (const rec of list as unknown as Record<string, unknown>[]) {
      const id = rec.id as string;
      const at = index.get(id);
      if (at === undefined) {
        index.set(id, merged.length);
        merged.push(rec);
        added.push({ collection: name, id, title: label(rec) });
        continue;
      }
      const before = merged[at]!;
      let fields = changedFields(before, rec);
      if (now !== undefined && name === 'objectives') {
        // CSV carries no timestamps: keep the existing ones unless something really changed.
        fields = fields.filter((f) => f !== 'updatedAt' && f !== 'createdAt');
        rec.createdAt = before.createdAt;
        rec.updatedAt = fields.length ? now : before.updatedAt;
        if (fields.length) fields.push('updatedAt');
      }
      if (fields.length) {
        merged[at] = rec;
        changed.push({ collection: name, id, fields });
      } else unchanged++;
    }
    (document as unknown as Record<string, unknown>)[name] = merged;
  }

  // Integrity of the whole result: an import may not leave a dangling key result or an alignment cycle.
  const found = checkIntegrity(document);
  const where = (path: string): string => {
    const m = /^(\w+)\[(\d+)\](.*)$/.exec(path);
    if (!m) return path;
    const collection = m[1] as CollectionName;
    const rec = (document[collection] as { id: string }[] | undefined)?.[Number(m[2])];
    const incomingPlace = rec && isIncoming(collection, rec.id) ? locate(collection, rec.id) : undefined;
    if (incomingPlace) return format === 'csv' ? incomingPlace : incomingPlace + m[3];
    return `existing ${path}`;
  };
  const incomingIds = new Map<CollectionName, Set<string>>();
  function isIncoming(collection: CollectionName, id: string) {
    let set = incomingIds.get(collection);
    if (!set) incomingIds.set(collection, (set = new Set((incoming[collection] ?? []).map((r) => r.id))));
    return set.has(id);
  }
  const errors = found.filter((i) => i.severity === 'error').map((i) => ({ ...i, path: where(i.path) }));
  if (errors.length) return refuse(errors, format);
  for (const w of found) {
    if (w.severity === 'error') continue;
    const m = /^(\w+)\[(\d+)\]/.exec(w.path);
    const rec = m ? (document[m[1] as CollectionName] as { id: string }[] | undefined)?.[Number(m[2])] : undefined;
    if (rec && isIncoming(m![1] as CollectionName, rec.id)) warnings.push(`${where(w.path)}: ${w.message}`);
  }
  return { ok: true, plan: { added, changed, unchanged, warnings, document } };
}
