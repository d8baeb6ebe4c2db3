import type * as z from 'zod/mini';
import type { FormatIssue } from './errors.ts';

/** `['keyResults', 3, 'metric', 'target']` → `keyResults[3].metric.target`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

const article = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);

const FORMAT_WORDS: Record<string, string> = {
  datetime: 'an ISO 8601 date-time with a time-zone offset (e.g. 2026-01-31T09:00:00Z)',
  date: 'a date as YYYY-MM-DD',
  email: 'an email address',
  url: 'a URL',
};

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value.length > 40 ? 'a string' : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Turns one zod issue into a plain sentence; custom messages (refinements) are kept as written. */
function sentence(issue: z.core.$ZodIssue, input: unknown): string {
  const custom = issue.message && issue.message !== 'Invalid input' ? issue.message : '';
  switch (issue.code) {
    case 'invalid_type': {
      const value = valueAt(input, issue.path);
      const want = article(issue.expected === 'nan' ? 'number' : String(issue.expected));
      return value === undefined ? `is required (expected ${want})` : `expected ${want}, got ${describe(value)}`;
    }
    case 'too_small':
      if (custom && !custom.startsWith('Too small')) return custom;
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `needs at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`;
      return `must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}`;
    case 'too_big':
      if (custom && !custom.startsWith('Too big')) return custom;
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    case 'invalid_format':
      if (custom && !custom.startsWith('Invalid')) return custom;
      return `expected ${FORMAT_WORDS[issue.format] ?? issue.format}, got ${describe(valueAt(input, issue.path))}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describe(valueAt(input, issue.path))}`;
    case 'invalid_union': {
      const disc = (issue as { discriminator?: string }).discriminator;
      if (disc) {
        const at = issue.path[issue.path.length - 1] === disc ? issue.path : [...issue.path, disc];
        const options = (issue as { options?: unknown[] }).options;
        return `unknown ${disc} ${describe(valueAt(input, at))}` + (options?.length ? `; expected one of ${options.join(', ')}` : '');
      }
      return custom || 'does not match any accepted shape';
    }
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}`;
    default:
      return custom || 'is not valid';
  }
}

/** Every zod issue as a located, readable {@link FormatIssue}. `prefix` is prepended to each path. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], input: unknown, prefix: readonly PropertyKey[] = []): FormatIssue[] {
  const out: FormatIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && !(issue as { discriminator?: string }).discriminator && issue.errors.length) {
      // A plain union: report the member whose issues went deepest, the likeliest intent.
      const best = [...issue.errors].sort((a, b) => Math.max(...b.map((i) => i.path.length)) - Math.max(...a.map((i) => i.path.length)))[0]!;
      out.push(...fromZodIssues(best.map((i) => ({ ...i, path: [...issue.path, ...i.path] })), input, prefix));
      continue;
    }
    out.push({ path: formatPath([...prefix, ...issue.path]), message: sentence(issue, input), severity: 'error' });
  }
  return out;
}
