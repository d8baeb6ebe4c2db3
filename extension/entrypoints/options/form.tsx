// Small form helpers: labelled fields with field-level messages from zod (via parseRecord's paths).
import type { ComponentChildren } from 'preact';
import type { CollectionName, FormatIssue, RecordOf } from '../../../core/model/index.ts';
import { parseRecord } from '../../../core/model/index.ts';

export type FieldErrors = Record<string, string>;

/** Validates a record; on failure, maps each issue to its field (`title`, `metric.target`, …). */
export function validate<C extends CollectionName>(collection: C, candidate: unknown): { ok: true; value: RecordOf<C> } | { ok: false; errors: FieldErrors } {
  const r = parseRecord(collection, candidate);
  if (r.ok) return { ok: true, value: r.value };
  return { ok: false, errors: issuesToFields(r.error.issues, collection) };
}

export function issuesToFields(issues: readonly FormatIssue[], prefix = ''): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    let path = issue.path;
    if (prefix && path.startsWith(prefix)) path = path.slice(prefix.length).replace(/^\./, '');
    path = path.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
    const key = path || '_form';
    if (!errors[key]) errors[key] = issue.message;
  }
  return errors;
}

export interface FieldProps {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string;
  children: (aria: { id: string; 'aria-invalid': 'true' | 'false'; 'aria-describedby'?: string }) => ComponentChildren;
}

export function Field({ id, label, error, hint, children }: FieldProps) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children({ id, 'aria-invalid': error ? 'true' : 'false', ...(described ? { 'aria-describedby': described } : {}) })}
      {hint ? (
        <p class="hint muted" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export const inputValue = (e: Event): string => (e.target as HTMLInputElement).value;

/** A number from a text field: `undefined` when empty, NaN when not a number (zod then names the field). */
export function numberOrUndefined(text: string): number | undefined {
  const s = text.trim().replace(',', '.');
  if (s === '') return undefined;
  return Number(s);
}
