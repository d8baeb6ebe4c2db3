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

/**
 * Epoch milliseconds of an ISO 8601 instant (`YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM)`), without
 * allocating; anything else goes to `Date.parse`. NaN when unreadable. Fractions beyond milliseconds
 * are truncated, as `Date.parse` does.
 */
export function parseInstant(s: string): number {
  const n = s.length;
  const t = s.charCodeAt(10);
  if (n < 17 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || (t !== 84 && t !== 116) || s.charCodeAt(13) !== 58) return Date.parse(s);
  const y = d2(s, 0) * 100 + d2(s, 2);
  const mo = d2(s, 5);
  const d = d2(s, 8);
  const h = d2(s, 11);
  const mi = d2(s, 14);
  let i = 16;
  let sec = 0;
  let frac = 0;
  if (s.charCodeAt(i) === 58) {
    sec = d2(s, 17);
    i = 19;
    const c = s.charCodeAt(i);
    if (c === 46 || c === 44) {
      i++;
      let scale = 100;
      for (let v = digit(s, i); v === v; v = digit(s, ++i)) {
        frac += v * scale;
        scale /= 10;
      }
      frac = Math.floor(frac);
    }
  }
  let offset = 0;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) {
    if (i + 1 !== n) return Date.parse(s);
  } else if (z === 43 || z === 45) {
    const oh = d2(s, i + 1);
    let om = 0;
    if (i + 3 === n) om = 0;
    else if (s.charCodeAt(i + 3) === 58 && i + 6 === n) om = d2(s, i + 4);
    else if (i + 5 === n) om = d2(s, i + 3);
    else return Date.parse(s);
    offset = (z === 45 ? -1 : 1) * (oh * 60 + om) * 60_000;
  } else return Date.parse(s);
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 24 && mi <= 59 && sec <= 60)) return Date.parse(s);
  return daysFromCivil(y, mo, d) * DAY_MS + h * HOUR_MS + mi * 60_000 + sec * 1000 + frac - offset;
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
