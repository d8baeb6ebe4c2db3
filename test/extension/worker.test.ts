import { describe, it, expect, beforeEach, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { emptyDocument, presetCycle, type CandorDocument } from '../../core/model/index.ts';
import { countDue, ensureAlarms, onAlarm, onMessage, onNotificationClicked, openCheckIn, refreshBadge, REMINDER_NOTIFICATION, startWorker, type WorkerDeps } from '../../extension/lib/worker.ts';
import { REMINDER_ALARM, REFRESH_ALARM, nextReminderAt } from '../../extension/lib/reminders.ts';
import { isTrustedSender, readMessage } from '../../extension/lib/messages.ts';
import { saveSettings, defaultSettings, loadSettings } from '../../extension/lib/settings.ts';
import { day } from './helpers.ts';

const NOW = day('2026-08-12');

function doc(): CandorDocument {
  const d = emptyDocument(NOW.toISOString());
  d.people.push({ id: 'ana', name: 'Ana', teamIds: [] });
  d.cycles.push(presetCycle('quarter', '2026-08-12'));
  const at = '2026-07-01T09:00:00Z';
  d.objectives.push({ id: 'o1', cycleId: '2026-q3', title: 'Ship', owner: { kind: 'person', id: 'ana' }, type: 'committed', visibility: 'public', state: 'active', rollup: 'key-results', createdAt: at, updatedAt: at });
  d.keyResults.push(
    { id: 'k1', objectiveId: 'o1', title: 'A', weight: 1, order: 0, metric: { kind: 'increase', start: 0, target: 10 } },
    { id: 'k2', objectiveId: 'o1', title: 'B', weight: 1, order: 1, metric: { kind: 'increase', start: 0, target: 10 } },
    { id: 'k3', objectiveId: 'o1', title: 'C', weight: 1, order: 2, metric: { kind: 'increase', start: 0, target: 10 } },
  );
  // k3 was checked in after the last due moment (Monday 10 Aug 09:00 UTC): not due.
  d.checkIns.push({ id: 'c1', keyResultId: 'k3', authorId: 'ana', at: '2026-08-11T08:00:00Z', value: 3, confidence: 0.9 });
  return d;
}

const deps = (d: CandorDocument | null = doc()): WorkerDeps => ({ loadDocument: async () => d, now: () => NOW });
const own = () => ({ id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/popup.html') });

describe('background', () => {
  beforeEach(async () => {
    fakeBrowser.reset();
    await saveSettings({ ...defaultSettings(), me: 'ana' });
  });

  it('the badge counts my due key results', async () => {
    expect(await countDue(deps())).toBe(2);
    await refreshBadge(deps());
    expect(await fakeBrowser.action.getBadgeText({})).toBe('2');
  });

  it('no identity or no document yet: an empty badge', async () => {
    await refreshBadge(deps(null));
    expect(await fakeBrowser.action.getBadgeText({})).toBe('');
    await saveSettings(defaultSettings());
    expect(await countDue(deps())).toBe(0);
  });

  it('re-creates the reminder alarm from settings on start, at the next chosen weekday and hour', async () => {
    await saveSettings({ ...(await loadSettings()), reminders: { enabled: true, everyWeeks: 2, weekday: 5, hour: 16 } });
    await ensureAlarms(NOW);
    const alarm = await fakeBrowser.alarms.get(REMINDER_ALARM);
    expect(alarm).toBeDefined();
    const when = new Date(alarm!.scheduledTime);
    expect(when.getDay()).toBe(5); // Friday
    expect(when.getHours()).toBe(16);
    expect(alarm!.periodInMinutes).toBe(2 * 7 * 24 * 60);
    expect(await fakeBrowser.alarms.get(REFRESH_ALARM)).toBeDefined();
    // disabling removes it
    await saveSettings({ ...(await loadSettings()), reminders: { enabled: false, everyWeeks: 1, weekday: 1, hour: 9 } });
    await ensureAlarms(NOW);
    expect(await fakeBrowser.alarms.get(REMINDER_ALARM)).toBeUndefined();
  });

  it('next reminder: later today, or the same weekday next week once the hour has passed', () => {
    const wed = new Date(2026, 7, 12, 8, 0); // local Wednesday 08:00
    expect(nextReminderAt({ weekday: 3, hour: 9 }, wed).getDate()).toBe(12);
    expect(nextReminderAt({ weekday: 3, hour: 7 }, wed).getDate()).toBe(19);
    expect(nextReminderAt({ weekday: 1, hour: 9 }, wed).getDate()).toBe(17);
  });

  it('a reminder alarm shows a notification when something is due; clicking it opens the check-in', async () => {
    await onAlarm({ name: REMINDER_ALARM }, deps());
    const all = await fakeBrowser.notifications.getAll();
    expect(Object.keys(all)).toEqual([REMINDER_NOTIFICATION]);
    const create = vi.spyOn(fakeBrowser.tabs, 'create');
    await onNotificationClicked(REMINDER_NOTIFICATION);
    expect(Object.keys(await fakeBrowser.notifications.getAll())).toEqual([]);
    // fakeBrowser has no action.openPopup: the popup page opens in a tab instead
    expect(create).toHaveBeenCalledWith({ url: fakeBrowser.runtime.getURL('/popup.html?tab=1') });
  });

  it('opens the real popup where action.openPopup exists', async () => {
    const openPopup = vi.fn(async () => {});
    (fakeBrowser.action as unknown as { openPopup: typeof openPopup }).openPopup = openPopup;
    try {
      expect(await openCheckIn()).toBe('popup');
      expect(openPopup).toHaveBeenCalledOnce();
    } finally {
      delete (fakeBrowser.action as unknown as { openPopup?: unknown }).openPopup;
    }
  });

  it('nothing due: no notification', async () => {
    const d = doc();
    d.checkIns.push(
      { id: 'c2', keyResultId: 'k1', authorId: 'ana', at: '2026-08-11T08:00:00Z', value: 3, confidence: 0.9 },
      { id: 'c3', keyResultId: 'k2', authorId: 'ana', at: '2026-08-11T08:00:00Z', value: 3, confidence: 0.9 },
    );
    await onAlarm({ name: REMINDER_ALARM }, deps(d));
    expect(await fakeBrowser.notifications.getAll()).toEqual({});
    expect(await fakeBrowser.action.getBadgeText({})).toBe('');
  });

  it('trusts only this extension’s own pages', () => {
    const id = fakeBrowser.runtime.id;
    expect(isTrustedSender(own())).toBe(true);
    expect(isTrustedSender({ id: 'another-extension', url: `chrome-extension://another-extension/popup.html` })).toBe(false);
    expect(isTrustedSender({ id, url: 'https://evil.example/' })).toBe(false); // a content script on a web page
    expect(isTrustedSender({ id })).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
  });

  it('validates messages with zod and ignores anything else', async () => {
    expect(readMessage({ type: 'document-changed', dueCount: 3 })).toEqual({ type: 'document-changed', dueCount: 3 });
    expect(readMessage({ type: 'document-changed', dueCount: -1 })).toBeNull();
    expect(readMessage({ type: 'format-disk' })).toBeNull();
    expect(readMessage('hello')).toBeNull();
    expect(await onMessage({ type: 'document-changed', dueCount: 7 }, own(), deps())).toEqual({ ok: true });
    expect(await fakeBrowser.action.getBadgeText({})).toBe('7');
    expect(await onMessage({ type: 'document-changed', dueCount: 1 }, { id: 'x', url: 'https://evil.example/' }, deps())).toEqual({ ok: false });
    expect(await onMessage({ type: 'nope' }, own(), deps())).toEqual({ ok: false });
    expect(await fakeBrowser.action.getBadgeText({})).toBe('7');
    // without a count the worker computes it from the stored document
    expect(await onMessage({ type: 'document-changed' }, own(), deps())).toEqual({ ok: true });
    expect(await fakeBrowser.action.getBadgeText({})).toBe('2');
  });

  it('startWorker registers listeners at once and answers messages through runtime.onMessage', async () => {
    startWorker(deps());
    await vi.waitFor(async () => expect(await fakeBrowser.alarms.get(REMINDER_ALARM)).toBeDefined());
    await vi.waitFor(async () => expect(await fakeBrowser.action.getBadgeText({})).toBe('2'));
    const answer = await fakeBrowser.runtime.onMessage.trigger({ type: 'reminders-changed' }, own());
    expect(answer).toBeDefined();
  });
});
