// Instants as epoch milliseconds, calendar days as day numbers, and wall clocks in IANA time zones.
// Scoring compares instants, never ISO strings: "09:00+02:00" is before "08:00Z".

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date of a day number (inverse of {@link daysFromCivil}). */
export function civilFromDays(z: number): { y: number; m: number; d: number } {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return { y: era * 400 + yoe + (m <= 2 ? 1 : 0), m, d };
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a day number. */
export const isoWeekday = (day: number): number => ((((day + 3) % 7) + 7) % 7) + 1;

/** The day number of a `YYYY-MM-DD` string (NaN when malformed). */
export function dayNumber(iso: string): number {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  if (iso.length < 10 || !(m >= 1 && m <= 12 && d >= 1 && d <= 31)) return NaN;
  return daysFromCivil(y, m, d);
}

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;

/** `YYYY-MM-DD` of a day number. */
export function dayString(day: number): string {
  const { y, m, d } = civilFromDays(day);
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

const digit = (s: string, i: number) => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
};
const d2 = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);

/** Cumulative days before each month (1-based) in a common year. */
const MONTH_START = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/**
 * Epoch milliseconds of an ISO 8601 instant (`YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`) without
 * allocating — scoring parses every check-in's time once, so this is on the hot path. Other
 * shapes go to `Date.parse`. NaN when unreadable. Fractions beyond milliseconds are truncated, as
 * `Date.parse` does.
 */
export function parseInstant(s: string): number {
  parseInstantInto(s, ONE, 0);
  return ONE[0]!;
}

const ONE = new Float64Array(1);

/**
 * {@link parseInstant} that stores the result in `out[index]`: a number kept in a typed array is
 * never boxed, so parsing 500k check-in times allocates nothing.
 */
export function parseInstantInto(s: string, out: Float64Array, index: number): void {
  out[index] = parseFast(s);
}

function parseFast(s: string): number {
  const n = s.length;
  if (n < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || (s.charCodeAt(10) | 32) !== 116) {
    return parseLoose(s);
  }
  const a = s.charCodeAt(0) - 48, b = s.charCodeAt(1) - 48, c = s.charCodeAt(2) - 48, d = s.charCodeAt(3) - 48;
  const e = s.charCodeAt(5) - 48, f = s.charCodeAt(6) - 48, g = s.charCodeAt(8) - 48, h = s.charCodeAt(9) - 48;
  const i = s.charCodeAt(11) - 48, j = s.charCodeAt(12) - 48, k = s.charCodeAt(14) - 48, l = s.charCodeAt(15) - 48;
  const m = s.charCodeAt(17) - 48, o = s.charCodeAt(18) - 48;
  // Every unsigned digit ≤ 9, checked at once: a non-digit is negative (huge unsigned) or > 9.
  if (((a >>> 0) | (b >>> 0) | (c >>> 0) | (d >>> 0) | (e >>> 0) | (f >>> 0) | (g >>> 0) | (h >>> 0) | (i >>> 0) | (j >>> 0) | (k >>> 0) | (l >>> 0) | (m >>> 0) | (o >>> 0)) > 15 ||
      a > 9 || b > 9 || c > 9 || d > 9 || e > 9 || f > 9 || g > 9 || h > 9 || i > 9 || j > 9 || k > 9 || l > 9 || m > 9 || o > 9) {
    return parseLoose(s);
  }
  const year = a * 1000 + b * 100 + c * 10 + d;
  const month = e * 10 + f;
  const day = g * 10 + h;
  const hour = i * 10 + j;
  const minute = k * 10 + l;
  const second = m * 10 + o;
  let p = 19;
  let frac = 0;
  let q = s.charCodeAt(p);
  if (q === 46 || q === 44) {
    let scale = 100;
    for (q = s.charCodeAt(++p) - 48; q >= 0 && q <= 9; q = s.charCodeAt(++p) - 48) {
      frac += q * scale;
      scale /= 10;
    }
    frac = Math.floor(frac);
    q = s.charCodeAt(p);
  }
  let offset = 0;
  if (q === 90 || q === 122) {
    if (p + 1 !== n) return parseLoose(s);
  } else if ((q === 43 || q === 45) && p + 6 === n && s.charCodeAt(p + 3) === 58) {
    const oh = d2(s, p + 1);
    const om = d2(s, p + 4);
    if (!(oh <= 23 && om <= 59)) return parseLoose(s);
    offset = (q === 45 ? -60_000 : 60_000) * (oh * 60 + om);
  } else return parseLoose(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return parseLoose(s);
  // Days since 1970-01-01, counting leap days up to the year's start (the year's own leap day after February).
  const leapYear = month <= 2 ? year - 1 : year;
  const days =
    365 * (year - 1970) +
    (Math.floor(leapYear / 4) - Math.floor(leapYear / 100) + Math.floor(leapYear / 400)) - 477 +
    MONTH_START[month]! + day - 1;
  return days * DAY_MS + hour * HOUR_MS + minute * 60_000 + second * 1000 + frac - offset;
}

/** Other ISO shapes (no seconds, `±HHMM`, `±HH`, lowercase) and anything `Date.parse` reads. */
function parseLoose(s: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2})(:\d{2}(?:[.,]\d+)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)$/.exec(s);
  if (!m) return Date.parse(s);
  let zone = m[4]!;
  if (zone === 'z') zone = 'Z';
  else if (zone.length === 3) zone += ':00';
  else if (zone.length === 5) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const normal = `${m[1]}T${m[2]}${(m[3] ?? ':00').replace(',', '.')}${zone}`;
  return normal.length >= 20 && normal !== s ? parseInstant(normal) : Date.parse(normal);
}

/** Epoch milliseconds of a string instant, a Date, or now (undefined). */
export function toMs(at: string | Date | number | undefined): number {
  if (at === undefined) return Date.now();
  if (typeof at === 'number') return at;
  if (at instanceof Date) return at.getTime();
  return parseInstant(at);
}

/** ISO string (UTC) of epoch milliseconds. */
export const isoOf = (ms: number): string => new Date(ms).toISOString();

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/Universal', 'Etc/Zulu', 'Z']);
const formats = new Map<string, Intl.DateTimeFormat | null>();

function formatFor(timeZone: string): Intl.DateTimeFormat | null {
  let f = formats.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null;
    }
    formats.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA name this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  return UTC_NAMES.has(timeZone) || formatFor(timeZone) !== null;
}

/** The wall-clock offset (ms, local − UTC) of `timeZone` at an instant. Unknown zones read as UTC. */
export function zoneOffset(ms: number, timeZone: string): number {
  if (UTC_NAMES.has(timeZone)) return 0;
  const f = formatFor(timeZone);
  if (!f) return 0;
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  for (const p of f.formatToParts(ms)) {
    switch (p.type) {
      case 'year': y = Number(p.value); break;
      case 'month': mo = Number(p.value); break;
      case 'day': d = Number(p.value); break;
      case 'hour': h = Number(p.value); break;
      case 'minute': mi = Number(p.value); break;
      case 'second': s = Number(p.value); break;
    }
  }
  const wall = daysFromCivil(y, mo, d) * DAY_MS + h * HOUR_MS + mi * 60_000 + s * 1000;
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The local day number and milliseconds into that day of an instant in `timeZone`. */
export function wallClock(ms: number, timeZone: string): { day: number; msOfDay: number } {
  const local = ms + zoneOffset(ms, timeZone);
  const day = Math.floor(local / DAY_MS);
  return { day, msOfDay: local - day * DAY_MS };
}

/**
 * The instant at which the wall clock in `timeZone` shows `msOfDay` on `day`. A time skipped by a
 * DST change moves forward by the gap (02:30 on a spring-forward night → 03:30); a time that occurs
 * twice takes the first occurrence — as Temporal's `disambiguation: 'compatible'`.
 */
export function zonedToInstant(day: number, msOfDay: number, timeZone: string): number {
  const local = day * DAY_MS + msOfDay;
  if (UTC_NAMES.has(timeZone)) return local;
  const before = zoneOffset(local - DAY_MS, timeZone);
  const after = zoneOffset(local + DAY_MS, timeZone);
  const early = local - before;
  if (before === after) {
    // No change nearby (the usual case); confirm in case of a change within the hour.
    const off = zoneOffset(early, timeZone);
    return off === before ? early : local - off;
  }
  const late = local - after;
  const earlyOk = zoneOffset(early, timeZone) === before;
  const lateOk = zoneOffset(late, timeZone) === after;
  if (earlyOk && lateOk) return Math.min(early, late);
  if (earlyOk) return early;
  if (lateOk) return late;
  return early; // in the gap: shifted forward by the gap's length
}
