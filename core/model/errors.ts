/** One problem found in input, located by a path such as `keyResults[3].metric.target`. */
export interface FormatIssue {
  path: string;
  message: string;
  severity?: 'error' | 'warning';
}

/** Joins issues into one sentence-sized message: the first few, then how many more. */
export function summariseIssues(issues: readonly FormatIssue[], shown = 3): string {
  const lines = issues.slice(0, shown).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  const more = issues.length - shown;
  return lines.join('; ') + (more > 0 ? ` (and ${more} more problem${more === 1 ? '' : 's'})` : '');
}

/**
 * Input that is not a valid Candor document or record. Its message names the path and the problem;
 * `issues` lists every problem found. Callers never see a bare ZodError.
 */
export class CandorFormatError extends Error {
  override name = 'CandorFormatError';
  readonly issues: FormatIssue[];
  constructor(issues: FormatIssue[], prefix = '') {
    super(prefix + summariseIssues(issues));
    this.issues = issues;
  }
}

/**
 * A write that could not be made: the space or record said no. Nothing was changed. `cause` is
 * `'rule'` when the record rule (core/rules: placement, authorship, who may write) refused it — the
 * writer may not do this — and `'input'` otherwise (a missing reference, a value that does not fit).
 */
export class CandorMutationError extends Error {
  override name = 'CandorMutationError';
  constructor(
    message: string,
    readonly path = '',
    readonly refusedBy: 'rule' | 'input' = 'input',
  ) {
    super(path ? `${path}: ${message}` : message);
  }
}
