import type { Reminders } from './settings.ts';

export const REMINDER_ALARM = 'candor:reminder';
export const REFRESH_ALARM = 'candor:refresh';
/** How often the worker recomputes the badge and refreshes feeds, in minutes. */
export const REFRESH_MINUTES = 30;

/**
 * The next reminder moment strictly after `now`, in the browser's local time: the first
 * `weekday` (1 = Monday … 7 = Sunday) at `hour`:00, then every `everyWeeks` weeks.
 */
export function nextReminderAt(reminders: Pick<Reminders, 'weekday' | 'hour'>, now: Date): Date {
  const next = new Date(now);
  next.setHours(reminders.hour, 0, 0, 0);
  const today = ((now.getDay() + 6) % 7) + 1; // JS: 0 = Sunday → ISO 7
  let add = (reminders.weekday - today + 7) % 7;
  if (add === 0 && next.getTime() <= now.getTime()) add = 7;
  next.setDate(next.getDate() + add);
  return next;
}

export function reminderPeriodMinutes(reminders: Pick<Reminders, 'everyWeeks'>): number {
  return reminders.everyWeeks * 7 * 24 * 60;
}
