import type { Status } from '../../core/scoring/index.ts';
import type { KeyResult } from '../../core/model/index.ts';
import { t, uiLanguage, type MessageKey } from './i18n.ts';

/** A score as shown everywhere in Candor: tenths, 0.0–1.0. */
export const formatScore = (score: number): string => (Math.round(score * 10) / 10).toFixed(1);

export const percent = (share: number): number => Math.round(Math.max(0, Math.min(1, share)) * 100);

const STATUS_KEYS: Record<Status, MessageKey> = {
  'on-track': 'statusOnTrack',
  'at-risk': 'statusAtRisk',
  'off-track': 'statusOffTrack',
  stale: 'statusStale',
  done: 'statusDone',
};
export const statusLabel = (status: Status): string => t(STATUS_KEYS[status]);

// Intl formatters are costly to build (≈ 1 ms each): build each once per page.
const formatters = new Map<string, Intl.NumberFormat | Intl.RelativeTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let f = formatters.get(key) as T | undefined;
  if (!f) formatters.set(key, (f = make()));
  return f;
}
const relativeFormat = () => cached('rtf', () => new Intl.RelativeTimeFormat(uiLanguage(), { numeric: 'auto' }));
const numberFormat = () => cached('num', () => new Intl.NumberFormat(uiLanguage(), { maximumFractionDigits: 2 }));
const currencyFormat = (currency: string) =>
  cached(`cur:${currency}`, () => new Intl.NumberFormat(uiLanguage(), { style: 'currency', currency, maximumFractionDigits: 2 }));

/** "3 days ago", "in 2 hours": relative to `now`, in the UI language. */
export function relativeTime(iso: string, now: Date): string {
  const seconds = (Date.parse(iso) - now.getTime()) / 1000;
  const rtf = relativeFormat();
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(Math.round(seconds), 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), 'hour');
  if (abs < 86400 * 30) return rtf.format(Math.round(seconds / 86400), 'day');
  return rtf.format(Math.round(seconds / (86400 * 30)), 'month');
}

/** A metric value with its unit ("42 %", "1,200 users"). */
export function formatValue(kr: KeyResult, value: number | undefined): string {
  if (value === undefined) return '–';
  const m = kr.metric;
  if (m.kind === 'boolean') return value >= 1 ? t('done') : t('notDone');
  if (m.kind === 'milestones') return `${value}/${m.items.length}`;
  const num = numberFormat().format(value);
  if ('format' in m && m.format === 'currency' && m.currency) {
    try {
      return currencyFormat(String(m.currency)).format(value);
    } catch {
      // an unknown currency code: show the number with the code
      return `${num} ${String(m.currency)}`;
    }
  }
  if ('format' in m && m.format === 'percent') return `${num} %`;
  return m.unit ? `${num} ${m.unit}` : num;
}

/** "0 → 100 users" or "≥ 99.9 %". */
export function describeTarget(kr: KeyResult): string {
  const m = kr.metric;
  switch (m.kind) {
    case 'increase':
    case 'decrease':
      return `${formatValue(kr, m.start)} → ${formatValue(kr, m.target)}`;
    case 'maintain-above':
      return `≥ ${formatValue(kr, m.threshold)}`;
    case 'maintain-below':
      return `≤ ${formatValue(kr, m.threshold)}`;
    case 'milestones':
      return t('milestonesCount', m.items.length);
    case 'boolean':
      return t('doneOrNot');
  }
}

export const confidenceLabel = (c: number | undefined): string => (c === undefined ? '–' : `${Math.round(c * 10)}/10`);

/** A fresh id for a new record: time-sortable and unique enough across devices. */
export function newId(prefix: string): string {
  const random = crypto.getRandomValues(new Uint32Array(2));
  return `${prefix}-${Date.now().toString(36)}${random[0]!.toString(36)}${random[1]!.toString(36)}`;
}
