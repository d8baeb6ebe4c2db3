import {
  parseRecord,
  presetCycle,
  type CandorDocument,
  type Cycle,
  type KeyResult,
  type Metric,
  type Objective,
  type FormatIssue,
} from '../model/index.ts';
import { CSV_COLUMNS, normaliseColumn, type CsvColumn } from './columns.ts';
import { readCsv, unguardCell, CsvSyntaxError, type CsvReadOptions } from './csv.ts';
import { CandorImportError, csvIssue, type ImportIssue } from './errors.ts';

/** Records built from CSV rows, already merged field by field with the records they update. */
export interface CsvRecords {
  cycles: Cycle[];
  objectives: Objective[];
  keyResults: KeyResult[];
  /** `collection:id` → the first row that defined the record (for locating later problems). */
  rows: Map<string, number>;
  warnings: string[];
}

export interface CsvImportOptions extends CsvReadOptions {
  /** Stamp for new and changed objectives' `createdAt`/`updatedAt`. Default now. */
  now?: string;
}

class RowError extends Error {
  constructor(readonly issue: ImportIssue) {
    super(issue.message);
  }
}
const fail = (row: number | undefined, column: string | undefined, message: string): never => {
  throw new RowError(csvIssue(row, column, message));
};

const KNOWN = new Set<string>(CSV_COLUMNS);
/** At most this many problems are reported for one file. */
const MAX_ISSUES = 100;
const OWNER_KINDS = ['person', 'team', 'company'] as const;
const METRIC_ALIASES: Record<string, Metric['kind']> = {
  increase: 'increase',
  decrease: 'decrease',
  'maintain-above': 'maintain-above',
  'maintain-below': 'maintain-below',
  'keep-above': 'maintain-above',
  'keep-below': 'maintain-below',
  milestones: 'milestones',
  milestone: 'milestones',
  checklist: 'milestones',
  boolean: 'boolean',
  'yes-no': 'boolean',
  'done-not-done': 'boolean',
};

function slug(s: string): string {
  const out = s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40)
    .replace(/-$/, '');
  return out || 'item';
}

/** `2026-q3`, `2026-h1`, `2026` → the preset cycle with that id, so a sheet can name a cycle without its dates. */
function cycleFromId(id: string): Cycle | undefined {
  const m = /^(\d{4})(?:-(q[1-4]|h[12]))?$/i.exec(id);
  if (!m) return undefined;
  const year = m[1]!;
  const part = m[2]?.toLowerCase();
  if (!part) return presetCycle('year', `${year}-01-01`);
  const index = Number(part[1]);
  const month = part[0] === 'q' ? (index - 1) * 3 + 1 : (index - 1) * 6 + 1;
  return presetCycle(part[0] === 'q' ? 'quarter' : 'half', `${year}-${String(month).padStart(2, '0')}-01`);
}

/** Maps a record field path (from zod) to the CSV column holding it. */
const OBJECTIVE_FIELD_COLUMNS: Record<string, CsvColumn> = {
  id: 'objective_id',
  cycleId: 'cycle',
  title: 'objective_title',
  description: 'objective_description',
  'owner.kind': 'objective_owner_kind',
  'owner.id': 'objective_owner_id',
  owner: 'objective_owner_kind',
  parentId: 'parent_objective_id',
  type: 'objective_type',
  visibility: 'objective_visibility',
  state: 'objective_state',
  rollup: 'objective_rollup',
  order: 'objective_order',
};
const KR_FIELD_COLUMNS: Record<string, CsvColumn> = {
  id: 'key_result_id',
  objectiveId: 'objective_id',
  title: 'key_result_title',
  ownerId: 'key_result_owner_id',
  weight: 'weight',
  order: 'key_result_order',
  metric: 'metric_kind',
  'metric.kind': 'metric_kind',
  'metric.start': 'start',
  'metric.target': 'target',
  'metric.threshold': 'threshold',
  'metric.unit': 'unit',
  'metric.format': 'format',
  'metric.currency': 'currency',
  'metric.items': 'milestones',
};
const CYCLE_FIELD_COLUMNS: Record<string, CsvColumn> = { id: 'cycle', name: 'cycle_name', start: 'cycle_start', end: 'cycle_end' };

function columnFor(path: string, prefix: string, table: Record<string, CsvColumn>): string | undefined {
  let rest = path.startsWith(prefix + '.') ? path.slice(prefix.length + 1) : path;
  rest = rest.replace(/\[\d+\].*$/, '');
  while (rest) {
    if (Object.hasOwn(table, rest)) return table[rest];
    const dot = rest.lastIndexOf('.');
    if (dot < 0) break;
    rest = rest.slice(0, dot);
  }
  return undefined;
}

function validated<C extends 'cycles' | 'objectives' | 'keyResults'>(
  collection: C,
  candidate: unknown,
  row: number,
  table: Record<string, CsvColumn>,
  what: string,
): C extends 'cycles' ? Cycle : C extends 'objectives' ? Objective : KeyResult {
  const r = parseRecord(collection, candidate);
  if (r.ok) return r.value as never;
  const issues = r.error.issues.map((i: FormatIssue) => {
    const column = columnFor(i.path, collection, table);
    const detail = i.path.replace(new RegExp(`^${collection}\\.?`), '');
    return csvIssue(row, column, column && table[detail] === column ? i.message : `${what}${detail ? ` ${detail}` : ''}: ${i.message}`);
  });
  throw new CandorImportError(issues, 'csv');
}

/**
 * Reads Candor CSV (see `core/io/CSV.md`) into cycles, objectives and key results merged onto `existing`.
 * Throws {@link CandorImportError} naming the row and column of the first problems; never anything else
 * for bad input.
 */
export function readCsvRecords(existing: CandorDocument, input: string, options: CsvImportOptions = {}): CsvRecords {
  let table;
  try {
    table = readCsv(input, options);
  } catch (e) {
    if (e instanceof CsvSyntaxError) {
      throw new CandorImportError([csvIssue(e.row, e.columnIndex === undefined ? undefined : `#${e.columnIndex + 1}`, e.message)], 'csv');
    }
    throw e;
  }
  try {
    return buildRecords(existing, table.rows, table.rowNumbers, table.delimiter, options);
  } catch (e) {
    if (e instanceof RowError) throw new CandorImportError([e.issue], 'csv');
    throw e;
  }
}

function buildRecords(existing: CandorDocument, rows: string[][], rowNumbers: number[], delimiter: string, options: CsvImportOptions): CsvRecords {
  const now = options.now ?? new Date().toISOString();
  const warnings: string[] = [];
  if (!rows.length) fail(1, undefined, 'the file is empty: expected a header row and at least one row');
  const header = rows[0]!.map((h) => normaliseColumn(unguardCell(h)));
  const headerRow = rowNumbers[0]!;
  const position = new Map<string, number>();
  header.forEach((name, i) => {
    if (!name) return;
    if (position.has(name)) fail(headerRow, name, `the column appears twice (positions ${position.get(name)! + 1} and ${i + 1})`);
    position.set(name, i);
    if (!KNOWN.has(name)) warnings.push(`column "${rows[0]![i]}" is not a Candor column and was ignored`);
  });
  const has = (c: CsvColumn) => position.has(c);
  if (!has('cycle')) fail(headerRow, 'cycle', 'the column is missing: every row needs the id of its cycle (e.g. 2026-q3)');
  if (!has('objective_title') && !has('objective_id')) fail(headerRow, 'objective_title', 'the column is missing: every row needs its objective');
  if (rows.length === 1) fail(headerRow, undefined, 'the file has a header but no rows');

  const candorPositions = CSV_COLUMNS.map((c) => position.get(c)).filter((i): i is number => i !== undefined);

  // Problems in rows are collected (up to a limit) so a sheet can be fixed in one go; each stage stops at its end
  // if anything was wrong, so later stages never report knock-on errors.
  const issues: ImportIssue[] = [];
  const attempt = (fn: () => void): void => {
    if (issues.length >= MAX_ISSUES) return;
    try {
      fn();
    } catch (e) {
      if (e instanceof RowError) issues.push(e.issue);
      else if (e instanceof CandorImportError) issues.push(...e.issues);
      else throw e;
    }
  };
  const checkpoint = () => {
    if (!issues.length) return;
    const sorted = issues.map((issue, i) => ({ issue, i })).sort((a, b) => (a.issue.row ?? 0) - (b.issue.row ?? 0) || a.i - b.i);
    throw new CandorImportError(sorted.slice(0, MAX_ISSUES).map((x) => x.issue), 'csv');
  };

  const decimalComma = delimiter === ';';
  const people = existing.people;
  const teams = existing.teams;

  // Lookups over existing records.
  const existingCycles = new Map(existing.cycles.map((c) => [c.id, c]));
  const existingObjectives = new Map(existing.objectives.map((o) => [o.id, o]));
  const existingKrs = new Map(existing.keyResults.map((k) => [k.id, k]));
  const krsOfObjective = new Map<string, KeyResult[]>();
  for (const k of existing.keyResults) {
    const list = krsOfObjective.get(k.objectiveId);
    if (list) list.push(k);
    else krsOfObjective.set(k.objectiveId, [k]);
  }
  const personIds = new Set(people.map((p) => p.id));
  const teamIds = new Set(teams.map((t) => t.id));
  const takenIds = new Set<string>([...existingObjectives.keys(), ...existingKrs.keys()]);
  const companyId = existing.objectives.find((o) => o.owner.kind === 'company')?.owner.id ?? 'company';

  const cyclesOut = new Map<string, { record: Cycle; row: number }>();
  interface ObjectiveDraft {
    key: string;
    row: number;
    cells: Partial<Record<CsvColumn, { value: string; row: number }>>;
    krRows: { row: number; cell: (c: CsvColumn) => string }[];
  }
  const drafts = new Map<string, ObjectiveDraft>();
  const lastOfTitle = new Map<string, string>();

  for (let r = 1; r < rows.length; r++) attempt(() => {
    const raw = rows[r]!;
    const row = rowNumbers[r]!;
    if (raw.length > header.length && raw.slice(header.length).some((v) => v.trim() !== '')) {
      fail(row, undefined, `has ${raw.length} fields but the header has ${header.length} (is a comma inside a value missing its quotes?)`);
    }
    const cell = (c: CsvColumn): string => {
      const i = position.get(c);
      if (i === undefined) return '';
      // Free text keeps its spaces (the model keeps them); everything else is trimmed.
      const value = unguardCell(raw[i] ?? '');
      return c === 'objective_description' || c === 'milestones' ? value : value.trim();
    };
    // A row with nothing in Candor's columns (blank, or only notes in columns of the user's own) is skipped.
    if (candorPositions.every((i) => (raw[i] ?? '').trim() === '')) return;

    // The cycle.
    const cycleId = cell('cycle');
    if (!cycleId) fail(row, 'cycle', 'is required: the id of the cycle (e.g. 2026-q3)');
    const cycleCells = { name: cell('cycle_name'), start: cell('cycle_start'), end: cell('cycle_end') };
    const seen = cyclesOut.get(cycleId);
    if (seen) {
      for (const [field, column] of [['name', 'cycle_name'], ['start', 'cycle_start'], ['end', 'cycle_end']] as const) {
        const v = cycleCells[field];
        if (v && v !== seen.record[field]) fail(row, column, `"${v}" differs from row ${seen.row} ("${seen.record[field]}") for cycle ${cycleId}`);
      }
    } else {
      const base = existingCycles.get(cycleId) ?? cycleFromId(cycleId);
      if (!base && (!cycleCells.start || !cycleCells.end)) {
        fail(row, cycleCells.start ? 'cycle_end' : 'cycle_start', `cycle "${cycleId}" is new: give its start and end (YYYY-MM-DD), or use a preset id such as 2026-q3`);
      }
      const candidate = { ...(base ?? {}), id: cycleId, name: cycleCells.name || base?.name || cycleId, start: cycleCells.start || base!.start, end: cycleCells.end || base!.end };
      cyclesOut.set(cycleId, { record: validated('cycles', candidate, row, CYCLE_FIELD_COLUMNS, 'cycle'), row });
    }

    // The objective this row belongs to.
    const objectiveId = cell('objective_id');
    const title = cell('objective_title');
    if (!objectiveId && !title) fail(row, has('objective_title') ? 'objective_title' : 'objective_id', 'is required: the title (or id) of the objective');
    // Without an id, an objective is its cycle + title + owner; a row that leaves the owner empty continues the
    // latest objective of that title (sheets often fill the objective's columns on its first row only).
    const titleKey = `t\u0000${cycleId}\u0000${title}`;
    const ownerCells = `${cell('objective_owner_kind')}\u0000${cell('objective_owner_id')}\u0000${cell('objective_owner_name')}`;
    const key = objectiveId
      ? `id\u0000${objectiveId}`
      : ownerCells === '\u0000\u0000' && lastOfTitle.has(titleKey)
        ? lastOfTitle.get(titleKey)!
        : `${titleKey}\u0000${ownerCells}`;
    if (!objectiveId) lastOfTitle.set(titleKey, key);
    let draft = drafts.get(key);
    if (!draft) {
      draft = { key, row, cells: {}, krRows: [] };
      drafts.set(key, draft);
    }
    for (const c of [
      'cycle',
      'objective_id',
      'objective_title',
      'objective_description',
      'objective_owner_kind',
      'objective_owner_id',
      'objective_owner_name',
      'objective_type',
      'objective_visibility',
      'objective_state',
      'objective_rollup',
      'objective_order',
      'parent_objective_id',
      'parent_objective_title',
    ] as const) {
      const v = cell(c);
      if (!v) continue;
      const prior = draft.cells[c];
      if (!prior) draft.cells[c] = { value: v, row };
      else if (prior.value !== v) fail(row, c, `"${clip(v)}" differs from row ${prior.row} ("${clip(prior.value)}") for the same objective`);
    }
    if (['key_result_id', 'key_result_title', 'metric_kind'].some((c) => cell(c as CsvColumn) !== '')) draft.krRows.push({ row, cell });
  });
  checkpoint();

  // Resolve objectives: ids, owners, then parents (which may point at objectives defined later in the file).
  const objectivesOut: { record: Objective; row: number; draft: ObjectiveDraft }[] = [];
  const byTitle = new Map<string, Objective[]>();
  const noteTitle = (o: Objective) => {
    const k = o.title.toLowerCase();
    const list = byTitle.get(k);
    if (list) list.push(o);
    else byTitle.set(k, [o]);
  };
  existing.objectives.forEach(noteTitle);
  const newIds = new Set<string>();
  const uniqueId = (base: string) => {
    let id = base;
    for (let n = 2; takenIds.has(id) || newIds.has(id); n++) id = `${base}-${n}`;
    newIds.add(id);
    return id;
  };

  for (const draft of drafts.values()) attempt(() => {
    const v = (c: CsvColumn) => draft.cells[c]?.value ?? '';
    const at = (c: CsvColumn) => draft.cells[c]?.row ?? draft.row;
    const cycleId = v('cycle');
    const owner = resolveOwner();
    function resolveOwner(): Objective['owner'] | undefined {
      let kind = v('objective_owner_kind').toLowerCase();
      let id = v('objective_owner_id');
      const name = v('objective_owner_name');
      if (kind && !(OWNER_KINDS as readonly string[]).includes(kind)) fail(at('objective_owner_kind'), 'objective_owner_kind', `expected person, team or company, got "${clip(kind)}"`);
      if (!kind && !id && !name) return undefined;
      if (!kind && id) {
        kind = personIds.has(id) ? 'person' : teamIds.has(id) ? 'team' : id === companyId ? 'company' : '';
        if (!kind) fail(at('objective_owner_id'), 'objective_owner_kind', `is required: "${clip(id)}" is not a known person or team id`);
      }
      if (!id) {
        if (kind === 'company') id = companyId;
        else {
          if (!name) fail(at('objective_owner_id'), 'objective_owner_id', `is required for a ${kind || 'person or team'} owner (or give objective_owner_name)`);
          const pool: { id: string; name: string }[] = kind === 'team' ? teams : kind === 'person' ? people : [...people, ...teams];
          const found = pool.filter((x) => x.name.toLowerCase() === name.toLowerCase());
          if (found.length !== 1) fail(at('objective_owner_name'), 'objective_owner_name', found.length ? `"${clip(name)}" matches ${found.length} ${kind || 'people or team'}s: give objective_owner_id` : `no ${kind || 'person or team'} named "${clip(name)}"`);
          id = found[0]!.id;
          if (!kind) kind = people.includes(found[0] as never) ? 'person' : 'team';
        }
      }
      return { kind: kind as Objective['owner']['kind'], id };
    }

    let id = v('objective_id');
    let before: Objective | undefined = id ? existingObjectives.get(id) : undefined;
    if (!id) {
      // No id: the same cycle, title and owner in the document is the same objective (re-importing a template updates it).
      before = (byTitle.get(v('objective_title').toLowerCase()) ?? []).find(
        (o) => o.cycleId === cycleId && (!owner || (o.owner.kind === owner.kind && o.owner.id === owner.id)) && existingObjectives.get(o.id) === o,
      );
      id = before?.id ?? uniqueId(`o-${slug(v('objective_title'))}`);
    }
    if (!before && !owner) fail(draft.row, 'objective_owner_kind', 'is required for a new objective: person, team or company (with objective_owner_id or objective_owner_name)');

    const candidate: Record<string, unknown> = { ...(before ?? {}), id, cycleId };
    if (v('objective_title')) candidate.title = v('objective_title');
    if (owner) candidate.owner = { ...((before?.owner as object) ?? {}), ...owner };
    optional(candidate, 'description', has('objective_description'), v('objective_description'));
    for (const [field, column] of [['type', 'objective_type'], ['visibility', 'objective_visibility'], ['state', 'objective_state'], ['rollup', 'objective_rollup']] as const) {
      if (v(column)) candidate[field] = v(column).toLowerCase();
    }
    if (has('objective_order')) {
      if (v('objective_order')) candidate.order = number(v('objective_order'), at('objective_order'), 'objective_order', decimalComma);
      else delete candidate.order;
    }
    if (!before) candidate.createdAt = now;
    if (!before || !candidate.updatedAt) candidate.updatedAt = now;
    const record = validated('objectives', candidate, draft.row, OBJECTIVE_FIELD_COLUMNS, 'objective');
    objectivesOut.push({ record, row: draft.row, draft });
    if (!before) noteTitle(record);
  });
  const outById = new Map(objectivesOut.map((o) => [o.record.id, o]));
  if (outById.size !== objectivesOut.length) {
    const seen = new Set<string>();
    for (const o of objectivesOut) {
      if (seen.has(o.record.id)) attempt(() => fail(o.row, 'objective_id', `objective "${o.record.id}" is defined twice with different cycles or owners`));
      seen.add(o.record.id);
    }
  }
  // Parents are found by title among objectives that all resolved; with problems above, a miss could be a knock-on.
  const parentsResolvable = issues.length === 0;
  for (const { record, draft } of objectivesOut) attempt(() => {
    if (!parentsResolvable) return;
    const pid = draft.cells.parent_objective_id?.value;
    const ptitle = draft.cells.parent_objective_title?.value;
    if (pid) record.parentId = pid;
    else if (ptitle) {
      const found = (byTitle.get(ptitle.toLowerCase()) ?? []).filter((o) => o.id !== record.id);
      const sameCycle = found.filter((o) => o.cycleId === record.cycleId);
      const pick = sameCycle.length ? sameCycle : found;
      if (pick.length !== 1) fail(draft.cells.parent_objective_title!.row, 'parent_objective_title', pick.length ? `"${clip(ptitle)}" matches ${pick.length} objectives: give parent_objective_id` : `no objective titled "${clip(ptitle)}"`);
      record.parentId = pick[0]!.id;
    } else if (has('parent_objective_id') || has('parent_objective_title')) delete record.parentId;
  });

  // Key results.
  const krsOut: { record: KeyResult; row: number }[] = [];
  const krIds = new Map<string, number>();
  for (const { record: objective, draft } of objectivesOut) {
    const siblings = krsOfObjective.get(objective.id) ?? [];
    draft.krRows.forEach(({ row, cell }, position) => attempt(() => {
      let id = cell('key_result_id');
      let before = id ? existingKrs.get(id) : undefined;
      if (!id) {
        before = siblings.find((k) => k.title.toLowerCase() === cell('key_result_title').toLowerCase());
        id = before?.id ?? uniqueId(`${objective.id}-kr${position + 1}`);
      }
      const prior = krIds.get(id);
      if (prior !== undefined) fail(row, 'key_result_id', `key result "${clip(id)}" already appears in row ${prior}`);
      krIds.set(id, row);
      const candidate: Record<string, unknown> = { ...(before ?? {}), id, objectiveId: objective.id };
      if (cell('key_result_title')) candidate.title = cell('key_result_title');
      const ownerId = cell('key_result_owner_id');
      const ownerName = cell('key_result_owner_name');
      if (ownerId) candidate.ownerId = ownerId;
      else if (ownerName) {
        const found = people.filter((p) => p.name.toLowerCase() === ownerName.toLowerCase());
        if (found.length !== 1) fail(row, 'key_result_owner_name', found.length ? `"${clip(ownerName)}" matches ${found.length} people: give key_result_owner_id` : `no person named "${clip(ownerName)}"`);
        candidate.ownerId = found[0]!.id;
      } else if (has('key_result_owner_id') || has('key_result_owner_name')) delete candidate.ownerId;
      if (cell('weight')) candidate.weight = number(cell('weight'), row, 'weight', decimalComma);
      if (cell('key_result_order')) candidate.order = number(cell('key_result_order'), row, 'key_result_order', decimalComma);
      else if (!before) candidate.order = position;
      candidate.metric = metricOf(cell, row, before?.metric, has, decimalComma);
      krsOut.push({ record: validated('keyResults', candidate, row, KR_FIELD_COLUMNS, 'key result'), row });
    }));
  }
  checkpoint();

  const rowsOf = new Map<string, number>();
  for (const [id, c] of cyclesOut) rowsOf.set(`cycles:${id}`, c.row);
  for (const o of objectivesOut) rowsOf.set(`objectives:${o.record.id}`, o.row);
  for (const k of krsOut) rowsOf.set(`keyResults:${k.record.id}`, k.row);
  return {
    cycles: [...cyclesOut.values()].map((c) => c.record),
    objectives: objectivesOut.map((o) => o.record),
    keyResults: krsOut.map((k) => k.record),
    rows: rowsOf,
    warnings,
  };
}

function clip(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function optional(target: Record<string, unknown>, field: string, columnPresent: boolean, value: string) {
  if (value) target[field] = value;
  else if (columnPresent) delete target[field];
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
const NUMBER_COMMA = /^[+-]?(\d+(,\d*)?|,\d+)(e[+-]?\d+)?$/i;

function number(text: string, row: number, column: string, decimalComma: boolean): number {
  const plain = text.replace(/[\s_]/g, '');
  let n = Number.NaN;
  if (NUMBER.test(plain)) n = Number(plain);
  else if (decimalComma && NUMBER_COMMA.test(plain)) n = Number(plain.replace(',', '.'));
  if (!Number.isFinite(n)) fail(row, column, `expected a number, got "${clip(text)}"`);
  return n;
}

function metricOf(
  cell: (c: CsvColumn) => string,
  row: number,
  before: Metric | undefined,
  has: (c: CsvColumn) => boolean,
  decimalComma: boolean,
): Record<string, unknown> {
  const kindText = cell('metric_kind').toLowerCase().replace(/[\s_]+/g, '-');
  let kind: Metric['kind'] | undefined = kindText && Object.hasOwn(METRIC_ALIASES, kindText) ? METRIC_ALIASES[kindText] : undefined;
  if (kindText && !kind) fail(row, 'metric_kind', `expected increase, decrease, maintain-above, maintain-below, milestones or boolean, got "${clip(cell('metric_kind'))}"`);
  if (!kind) {
    if (cell('start') && cell('target')) {
      const s = number(cell('start'), row, 'start', decimalComma);
      const t = number(cell('target'), row, 'target', decimalComma);
      kind = t < s ? 'decrease' : 'increase';
    } else if (cell('milestones')) kind = 'milestones';
    else if (before) kind = before.kind;
    else fail(row, 'metric_kind', 'is required: increase, decrease, maintain-above, maintain-below, milestones or boolean');
  }
  const base: Record<string, unknown> = before && before.kind === kind ? { ...before } : {};
  base.kind = kind;
  const need = (c: CsvColumn, what: string): number => {
    const v = cell(c);
    if (v) return number(v, row, c, decimalComma);
    const prior = base[c];
    if (typeof prior === 'number') return prior;
    return fail(row, c, `is required for ${what} key result`);
  };
  const text = (c: 'unit' | 'format' | 'currency') => {
    if (cell(c)) base[c] = c === 'currency' ? cell(c).toUpperCase() : c === 'format' ? cell(c).toLowerCase() : cell(c);
    else if (has(c)) delete base[c];
  };
  switch (kind!) {
    case 'increase':
    case 'decrease':
      base.start = need('start', `an ${kind}`);
      base.target = need('target', `an ${kind}`);
      text('unit');
      text('format');
      text('currency');
      break;
    case 'maintain-above':
    case 'maintain-below':
      base.threshold = need('threshold', `a ${kind}`);
      text('unit');
      break;
    case 'milestones': {
      const v = cell('milestones');
      if (v) base.items = parseMilestones(v, row);
      else if (!Array.isArray(base.items)) fail(row, 'milestones', 'is required for a milestones key result: one milestone per line');
      break;
    }
    case 'boolean':
      break;
  }
  return base;
}

/** Reads a JSON string literal at `text[from]` (a `"`); returns the value and the index after it, or undefined. */
function jsonString(text: string, from: number): { value: string; end: number } | undefined {
  for (let j = from + 1; j < text.length; j++) {
    const ch = text[j];
    if (ch === '\\') j++;
    else if (ch === '"') {
      try {
        const value = JSON.parse(text.slice(from, j + 1));
        return typeof value === 'string' ? { value, end: j + 1 } : undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Parses the `milestones` cell: one milestone per line, `[id] Title`, `[id; weight=2] Title` or just `Title`.
 * An id or title that could be misread (line breaks, brackets, a leading quote) is written as a JSON string.
 */
export function parseMilestones(cell: string, row: number): { id: string; title: string; weight?: number }[] {
  const out: { id: string; title: string; weight?: number }[] = [];
  const ids = new Set<string>();
  const lines = cell.split(/\r\n|\n|\r/).map((l) => l.trim()).filter(Boolean);
  lines.forEach((line, i) => {
    let id = '';
    let weight: string | undefined;
    let rest = line;
    if (line.startsWith('[')) {
      let j = 1;
      while (line[j] === ' ') j++;
      if (line[j] === '"') {
        const s = jsonString(line, j);
        if (!s) fail(row, 'milestones', `line ${i + 1}: the quoted milestone id is not closed`);
        id = s!.value;
        j = s!.end;
      } else {
        const stop = line.slice(j).search(/[;\]]/);
        if (stop < 0) fail(row, 'milestones', `line ${i + 1}: "[" without a closing "]"`);
        id = line.slice(j, j + stop).trim();
        j += stop;
      }
      const tail = /^\s*(?:;\s*weight\s*=\s*([^\]]*?)\s*)?\]/.exec(line.slice(j));
      if (!tail) fail(row, 'milestones', `line ${i + 1}: expected "]" or "; weight=N]" after the milestone id`);
      weight = tail![1];
      rest = line.slice(j + tail![0].length).trim();
    }
    let title = rest;
    if (rest.startsWith('"')) {
      const s = jsonString(rest, 0);
      if (s && s.end === rest.length) title = s.value;
    }
    if (!id) {
      id = `m${i + 1}`;
      for (let n = 2; ids.has(id); n++) id = `m${i + 1}-${n}`;
    }
    if (ids.has(id)) fail(row, 'milestones', `milestone id "${clip(id)}" appears twice`);
    ids.add(id);
    const item: { id: string; title: string; weight?: number } = { id, title };
    if (weight !== undefined) {
      const w = weight === '' ? Number.NaN : Number(weight);
      if (!Number.isFinite(w) || w < 0) fail(row, 'milestones', `line ${i + 1}: weight must be a number ≥ 0, got "${clip(weight)}"`);
      item.weight = w;
    }
    out.push(item);
  });
  return out;
}
