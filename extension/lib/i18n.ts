import { browser } from 'wxt/browser';
import type en from '../public/_locales/en/messages.json';

/** Every UI string has a key in `public/_locales/en/messages.json`; other languages follow it. */
export type MessageKey = keyof typeof en;

/**
 * A UI string in the browser's language (WXT ships `_locales` as the browser's own i18n).
 * Substitutions fill `$1`…`$9` placeholders. Never returns an empty string: a missing
 * message shows its key, so a gap is visible instead of a blank label.
 */
export function t(key: MessageKey, ...subs: (string | number)[]): string {
  try {
    // (typed loosely: the root type check runs without WXT's generated message types)
    const i18n = browser.i18n as unknown as { getMessage(name: string, substitutions?: string[]): string };
    const message = i18n.getMessage(key, subs.map(String));
    if (message) return message;
  } catch {
    // No i18n API (unit tests with a fake browser): fall through to the key.
  }
  return subs.length ? `${key}(${subs.join(', ')})` : key;
}

/** The UI language, for number and date formatting (`en`, `de`, …). */
export function uiLanguage(): string {
  try {
    return browser.i18n.getUILanguage() || navigator.language;
  } catch {
    return typeof navigator === 'undefined' ? 'en' : navigator.language;
  }
}
