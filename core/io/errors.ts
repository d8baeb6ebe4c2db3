import { CandorFormatError, type FormatIssue } from '../model/index.ts';

/** Where an import problem is: a row and column of a CSV file, or a path in a JSON document. */
export interface ImportIssue extends FormatIssue {
  /** CSV only: the record number, counting the header as row 1 (what a spreadsheet shows). */
  row?: number;
  /** CSV only: the column name as written in the header (or its position when there is none). */
  column?: string;
}

/**
 * An import that was refused: nothing was changed. Its message names the row and column (CSV) or
 * the path (JSON) and the problem, e.g. `row 7, column target: expected a number, got "abc"`.
 * It is a {@link CandorFormatError}, so callers handling that also handle this.
 */
export class CandorImportError extends CandorFormatError {
  override name = 'CandorImportError';
  readonly format: 'json' | 'csv';
  /** True when the importer itself failed (a bug), rather than the input. */
  readonly internal: boolean;
  declare readonly issues: ImportIssue[];
  constructor(issues: ImportIssue[], format: 'json' | 'csv', internal = false) {
    super(issues);
    this.format = format;
    this.internal = internal;
  }
  /** The first problem's row, when the input was CSV. */
  get row(): number | undefined {
    return this.issues[0]?.row;
  }
  /** The first problem's column, when the input was CSV. */
  get column(): string | undefined {
    return this.issues[0]?.column;
  }
}

/** The path string for a CSV location: `row 7, column target`. */
export function csvPath(row: number | undefined, column?: string): string {
  if (row === undefined) return column ? `column ${column}` : '';
  return column ? `row ${row}, column ${column}` : `row ${row}`;
}

export function csvIssue(row: number | undefined, column: string | undefined, message: string): ImportIssue {
  const issue: ImportIssue = { path: csvPath(row, column), message, severity: 'error' };
  if (row !== undefined) issue.row = row;
  if (column !== undefined) issue.column = column;
  return issue;
}
