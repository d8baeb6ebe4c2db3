/**
 * The columns of Candor's CSV (one row per key result). `core/io/CSV.md` documents each one; keep the two in step.
 * `derived` columns are written for people reading the sheet and ignored on import.
 */
export const CSV_COLUMNS = [
  'cycle',
  'cycle_name',
  'cycle_start',
  'cycle_end',
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
  'key_result_id',
  'key_result_title',
  'key_result_owner_id',
  'key_result_owner_name',
  'key_result_order',
  'weight',
  'metric_kind',
  'start',
  'target',
  'threshold',
  'unit',
  'format',
  'currency',
  'milestones',
  'current',
  'milestones_done',
  'last_check_in',
  'confidence',
  'score',
  'status',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Columns written for reading only; an import ignores them. */
export const DERIVED_COLUMNS: ReadonlySet<CsvColumn> = new Set(['current', 'milestones_done', 'last_check_in', 'confidence', 'score', 'status']);

/** Other spellings accepted in a header (compared after lower-casing and turning spaces/hyphens into `_`). */
export const COLUMN_ALIASES: Record<string, CsvColumn> = {
  cycle_id: 'cycle',
  objective: 'objective_title',
  owner_kind: 'objective_owner_kind',
  owner_id: 'objective_owner_id',
  owner: 'objective_owner_name',
  owner_name: 'objective_owner_name',
  type: 'objective_type',
  visibility: 'objective_visibility',
  state: 'objective_state',
  rollup: 'objective_rollup',
  parent_id: 'parent_objective_id',
  parent_objective: 'parent_objective_title',
  kr_id: 'key_result_id',
  key_result: 'key_result_title',
  kr: 'key_result_title',
  kr_title: 'key_result_title',
  key_result_owner: 'key_result_owner_name',
  kr_owner: 'key_result_owner_name',
  kr_owner_id: 'key_result_owner_id',
  kind: 'metric_kind',
  metric: 'metric_kind',
  last_check_in_date: 'last_check_in',
};

/** Normalises a header cell to a known column name, or returns it normalised when unknown. */
export function normaliseColumn(header: string): string {
  const key = header
    .trim()
    .toLowerCase()
    .replace(/[\s\-]+/g, '_')
    .replace(/[^a-z0-9_]/g, '');
  return Object.hasOwn(COLUMN_ALIASES, key) ? COLUMN_ALIASES[key]! : key;
}
