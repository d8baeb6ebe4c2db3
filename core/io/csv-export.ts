import type { CandorDocument, KeyResult, Objective } from '../model/index.ts';
import { scoreDocument, type DocumentScores, type KeyResultVerdict } from '../scoring/index.ts';
import { CSV_COLUMNS, type CsvColumn } from './columns.ts';
import { guardCell, writeCsv } from './csv.ts';

export interface CsvExportOptions {
  /** The moment `current`, `score` and `status` are for. Default now. */
  at?: string | Date;
  /** Scores already computed for this document (skips scoring again). */
  scores?: DocumentScores;
  /**
   * Guard text cells against formula injection (`=`, `+`, `-`, `@` → prefixed with `'`) so the file is safe to
   * open in a spreadsheet. Default true. Candor's importer undoes the guard either way.
   */
  spreadsheetSafe?: boolean;
  /** `,` (default) or `;` for spreadsheets in locales that use a decimal comma. */
  delimiter?: ',' | ';';
}

const num = (n: number | undefined) => (n === undefined ? '' : String(n));
const round2 = (n: number) => Math.round(n * 100) / 100 + 0;

/**
 * `[m1] Title` or `[m1; weight=2] Title`, one per line. An id or title that could be misread (a line break,
 * `]`/`;` in an id, a title starting with a quote) is written as a JSON string literal.
 */
export function formatMilestones(items: readonly { id: string; title: string; weight?: number | undefined }[]): string {
  const id = (s: string) => (/[\]\[;"\r\n]/.test(s) || s.trim() !== s ? JSON.stringify(s) : s);
  const title = (s: string) => (/[\r\n]/.test(s) || s.startsWith('"') || s.trim() !== s ? JSON.stringify(s) : s);
  return items.map((m) => `[${id(m.id)}${m.weight !== undefined ? `; weight=${m.weight}` : ''}] ${title(m.title)}`).join('\n');
}

/** Numbers in a `;`-delimited file use a decimal comma, as the spreadsheets that read such files expect. */
function numberWriter(delimiter: string) {
  return delimiter === ';' ? (n: number | undefined) => num(n).replace('.', ',') : num;
}

/**
 * Candor CSV: one row per key result (an objective with no key results gets one row with the key result
 * columns empty), columns as documented in `core/io/CSV.md`, RFC 4180 quoting, CRLF line endings.
 */
export function exportCsv(doc: CandorDocument, options: CsvExportOptions = {}): string {
  const delimiter = options.delimiter ?? ',';
  const n = numberWriter(delimiter);
  const safe = options.spreadsheetSafe ?? true;
  const text = safe ? guardCell : (s: string) => (/^'+[=+\-@\t\r]/.test(s) ? `'${s}` : s);
  const scores = options.scores ?? scoreDocument(doc, options.at === undefined ? {} : { at: options.at });

  const cycles = new Map(doc.cycles.map((c) => [c.id, c]));
  const objectives = new Map(doc.objectives.map((o) => [o.id, o]));
  const people = new Map(doc.people.map((p) => [p.id, p.name]));
  const teams = new Map(doc.teams.map((t) => [t.id, t.name]));
  const krsByObjective = new Map<string, KeyResult[]>();
  for (const k of doc.keyResults) {
    const list = krsByObjective.get(k.objectiveId);
    if (list) list.push(k);
    else krsByObjective.set(k.objectiveId, [k]);
  }
  const ownerName = (o: Objective) => (o.owner.kind === 'person' ? people.get(o.owner.id) : o.owner.kind === 'team' ? teams.get(o.owner.id) : undefined) ?? '';

  const rows: string[][] = [[...CSV_COLUMNS]];
  const index = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, i])) as Record<CsvColumn, number>;
  for (const o of doc.objectives) {
    const cycle = cycles.get(o.cycleId);
    const parent = o.parentId === undefined ? undefined : objectives.get(o.parentId);
    const base = new Array<string>(CSV_COLUMNS.length).fill('');
    const set = (c: CsvColumn, v: string) => (base[index[c]] = v);
    set('cycle', text(o.cycleId));
    set('cycle_name', text(cycle?.name ?? ''));
    set('cycle_start', cycle?.start ?? '');
    set('cycle_end', cycle?.end ?? '');
    set('objective_id', text(o.id));
    set('objective_title', text(o.title));
    set('objective_description', text(o.description ?? ''));
    set('objective_owner_kind', o.owner.kind);
    set('objective_owner_id', text(o.owner.id));
    set('objective_owner_name', text(ownerName(o)));
    set('objective_type', o.type);
    set('objective_visibility', o.visibility);
    set('objective_state', o.state);
    set('objective_rollup', o.rollup);
    set('objective_order', n(o.order));
    set('parent_objective_id', text(o.parentId ?? ''));
    set('parent_objective_title', text(parent?.title ?? ''));
    const krs = [...(krsByObjective.get(o.id) ?? [])].sort((a, b) => a.order - b.order);
    if (!krs.length) {
      rows.push(base);
      continue;
    }
    for (const k of krs) {
      const row = [...base];
      const put = (c: CsvColumn, v: string) => (row[index[c]] = v);
      const m = k.metric;
      put('key_result_id', text(k.id));
      put('key_result_title', text(k.title));
      put('key_result_owner_id', text(k.ownerId ?? ''));
      put('key_result_owner_name', text(k.ownerId === undefined ? '' : (people.get(k.ownerId) ?? '')));
      put('key_result_order', n(k.order));
      put('weight', n(k.weight));
      put('metric_kind', m.kind);
      if (m.kind === 'increase' || m.kind === 'decrease') {
        put('start', n(m.start));
        put('target', n(m.target));
        put('unit', text(m.unit ?? ''));
        put('format', m.format ?? '');
        put('currency', m.currency ?? '');
      } else if (m.kind === 'maintain-above' || m.kind === 'maintain-below') {
        put('threshold', n(m.threshold));
        put('unit', text(m.unit ?? ''));
      } else if (m.kind === 'milestones') {
        put('milestones', text(formatMilestones(m.items)));
      }
      const v: KeyResultVerdict | undefined = scores.keyResults.get(k.id);
      if (v) {
        if (m.kind === 'milestones') put('milestones_done', `${v.current ?? 0}/${m.items.length}`);
        put('current', n(v.current));
        put('last_check_in', v.lastCheckInAt ? v.lastCheckInAt.slice(0, 10) : '');
        put('confidence', n(v.confidence));
        put('score', n(round2(v.score)));
        put('status', v.status);
      }
      rows.push(row);
    }
  }
  return writeCsv(rows, delimiter);
}
