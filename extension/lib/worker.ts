// The service worker's logic, apart from its entrypoint so unit tests drive it with fakeBrowser.
// No state in globals: everything is read from storage when an event arrives (MV3 workers sleep).
import { browser } from 'wxt/browser';
import type { CandorDocument } from '../../core/model/index.ts';
import { scoreDocument } from '../../core/scoring/index.ts';
import { goalsView } from '../state/derive.ts';
import { activeWorkspace, loadSettings } from './settings.ts';
import { isTrustedSender, readMessage, type MessageSender } from './messages.ts';
import { nextReminderAt, reminderPeriodMinutes, REFRESH_ALARM, REFRESH_MINUTES, REMINDER_ALARM } from './reminders.ts';
import { t } from './i18n.ts';

export const REMINDER_NOTIFICATION = 'candor:check-in';

/** A URL inside the extension (typed loosely: the root type check runs without WXT's generated paths). */
const extensionUrl = (path: string): string => (browser.runtime as unknown as { getURL(p: string): string }).getURL(path);
export const BADGE_COLOR = '#b4541a';

export interface WorkerDeps {
  /** The active workspace's latest materialised document (the stored snapshot), or null before first use. */
  loadDocument(): Promise<CandorDocument | null>;
  /** Fetches followed feeds; optional (tests). */
  refreshFeeds?(): Promise<void>;
  now?(): Date;
}

/** The number of my key results due for a check-in, from the stored document. */
export async function countDue(deps: WorkerDeps): Promise<number> {
  const [doc, settings] = await Promise.all([deps.loadDocument(), loadSettings()]);
  const me = activeWorkspace(settings).me;
  if (!doc || !me) return 0;
  const at = deps.now?.() ?? new Date();
  return goalsView(doc, scoreDocument(doc, { at }), me, at).dueCount;
}

export async function setBadge(count: number): Promise<void> {
  await browser.action.setBadgeText({ text: count > 0 ? String(Math.min(count, 99)) : '' });
  if (count > 0) await browser.action.setBadgeBackgroundColor({ color: BADGE_COLOR });
  await browser.action.setTitle({ title: count > 0 ? t('badgeTitleDue', count) : t('actionTitle') });
}

export async function refreshBadge(deps: WorkerDeps): Promise<number> {
  const count = await countDue(deps);
  await setBadge(count);
  return count;
}

/** (Re-)creates the alarms from settings; called on every worker start and when reminders change. */
export async function ensureAlarms(now: Date = new Date()): Promise<void> {
  const settings = await loadSettings();
  await browser.alarms.clear(REMINDER_ALARM);
  if (settings.reminders.enabled) {
    browser.alarms.create(REMINDER_ALARM, {
      when: nextReminderAt(settings.reminders, now).getTime(),
      periodInMinutes: reminderPeriodMinutes(settings.reminders),
    });
  }
  const refresh = await browser.alarms.get(REFRESH_ALARM);
  if (!refresh) browser.alarms.create(REFRESH_ALARM, { periodInMinutes: REFRESH_MINUTES, delayInMinutes: 1 });
}

export async function onAlarm(alarm: { name: string }, deps: WorkerDeps): Promise<void> {
  if (alarm.name === REMINDER_ALARM) {
    const count = await refreshBadge(deps);
    if (count > 0) await notifyDue(count);
  } else if (alarm.name === REFRESH_ALARM) {
    await Promise.allSettled([refreshBadge(deps), deps.refreshFeeds?.()]);
  }
}

export async function notifyDue(count: number): Promise<void> {
  await browser.notifications.create(REMINDER_NOTIFICATION, {
    type: 'basic',
    iconUrl: extensionUrl('/icon/128.png'),
    title: t('reminderTitle'),
    message: t('reminderMessage', count),
    priority: 1,
  });
}

/** Opens the quick check-in: the action popup where the browser allows it, else the popup page in a tab. */
export async function openCheckIn(): Promise<'popup' | 'tab'> {
  const action = browser.action as typeof browser.action & { openPopup?: () => Promise<void> };
  if (typeof action.openPopup === 'function') {
    try {
      await action.openPopup();
      return 'popup';
    } catch {
      // No focused window, or not allowed here: fall back to a tab.
    }
  }
  await browser.tabs.create({ url: extensionUrl('/popup.html?tab=1') });
  return 'tab';
}

export async function onNotificationClicked(id: string): Promise<void> {
  if (id !== REMINDER_NOTIFICATION) return;
  await browser.notifications.clear(id);
  await openCheckIn();
}

/**
 * Handles a message from a page. Untrusted senders and malformed messages are ignored
 * (and answered `{ ok: false }`), never acted on.
 */
export async function onMessage(input: unknown, sender: MessageSender, deps: WorkerDeps): Promise<{ ok: boolean }> {
  if (!isTrustedSender(sender)) return { ok: false };
  const message = readMessage(input);
  if (!message) return { ok: false };
  switch (message.type) {
    case 'document-changed':
      if (message.dueCount !== undefined) await setBadge(message.dueCount);
      else await refreshBadge(deps);
      return { ok: true };
    case 'reminders-changed':
      await ensureAlarms(deps.now?.());
      return { ok: true };
    case 'refresh-feeds':
      await deps.refreshFeeds?.();
      return { ok: true };
  }
}

/** Registers every listener synchronously (top level of the worker), then does the start-up work. */
export function startWorker(deps: WorkerDeps): void {
  browser.alarms.onAlarm.addListener((alarm) => void onAlarm(alarm, deps));
  browser.notifications.onClicked.addListener((id) => void onNotificationClicked(id));
  browser.runtime.onMessage.addListener((message, sender, sendResponse) => {
    onMessage(message, sender, deps).then(sendResponse, () => sendResponse({ ok: false }));
    return true;
  });
  browser.runtime.onInstalled.addListener(() => void ensureAlarms(deps.now?.()));
  void ensureAlarms(deps.now?.()).then(() => refreshBadge(deps)).catch(() => undefined);
}
