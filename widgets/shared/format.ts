import type { Metric } from '../../core/model/index.ts';

// Intl formatters are costly to build; a feed of 1,000 rows must not build 1,000 of them.
const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

/** A locale Intl accepts, or undefined (the browser's) when `locale` is empty or malformed. */
export function safeLocale(locale?: string): string | undefined {
  if (!locale) return undefined;
  try {
    return Intl.getCanonicalLocales(locale)[0];
  } catch {
    return undefined;
  }
}

export function numberFormat(locale: string | undefined, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const l = safeLocale(locale);
  return cached(`n|${l}|${JSON.stringify(options)}`, () => new Intl.NumberFormat(l, options));
}

export function dateFormat(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const l = safeLocale(locale);
  return cached(`d|${l}|${JSON.stringify(options)}`, () => new Intl.DateTimeFormat(l, options));
}

/** A share as a whole percentage: 0.42 → "42%". */
export const percent = (locale: string | undefined, share: number) =>
  numberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(share);

/** A score in tenths, as OKR practice reads it: 0.7. */
export const score = (locale: string | undefined, s: number) =>
  numberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(Math.round(s * 10) / 10);

/** A metric value with its format (number, percent, currency) and unit. */
export function metricValue(locale: string | undefined, metric: Metric, value: number): string {
  if (metric.kind === 'increase' || metric.kind === 'decrease') {
    if (metric.format === 'currency' && metric.currency)
      return numberFormat(locale, { style: 'currency', currency: metric.currency, maximumFractionDigits: 2 }).format(value);
    if (metric.format === 'percent') return numberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(value / 100);
  }
  const n = numberFormat(locale, { maximumFractionDigits: 2 }).format(value);
  const unit = 'unit' in metric && metric.unit ? String(metric.unit) : '';
  return unit ? `${n} ${unit}` : n;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 31_536_000_000],
  ['month', 2_592_000_000],
  ['week', 604_800_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "3 days ago", "in 2 hours", "now", in the locale. */
export function relativeTime(locale: string | undefined, iso: string, now = Date.now()): string {
  const diff = Date.parse(iso) - now;
  const l = safeLocale(locale);
  const rtf = cached(`r|${l}`, () => new Intl.RelativeTimeFormat(l, { numeric: 'auto' }));
  for (const [unit, size] of UNITS) if (Math.abs(diff) >= size) return rtf.format(Math.round(diff / size), unit);
  return rtf.format(0, 'minute');
}

/** A calendar day heading: "Monday, 5 January 2026". */
export const dayHeading = (locale: string | undefined, iso: string) =>
  dateFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(iso));

/** A date and time: "5 Jan 2026, 09:00". */
export const dateTime = (locale: string | undefined, iso: string) =>
  dateFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

/** Words for a status, for labels and screen readers. */
export const STATUS_LABEL: Record<string, string> = {
  'on-track': 'On track',
  'at-risk': 'At risk',
  'off-track': 'Off track',
  stale: 'No recent check-in',
  done: 'Done',
};
