import * as z from 'zod/mini';
import { browser } from 'wxt/browser';
import { DATABASES, type WorkspaceKind } from './workspaces.ts';

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/** A followed team feed: any URL that serves a Candor document. */
export const ZFeed = z.object({
  url: z.url({ protocol: /^https?$/ }),
  name: z.optional(z.string().check(z.maxLength(200))),
  lastFetchedAt: z.optional(z.string()),
  error: z.optional(z.string()),
});
export type Feed = z.infer<typeof ZFeed>;

/** When to remind me to check in (local time): every N weeks on a weekday (1 = Monday) at an hour. */
export const ZReminders = z.object({
  enabled: z._default(z.boolean(), true),
  everyWeeks: z._default(z.number().check(z.int(), z.gte(1), z.lte(4)), 1),
  weekday: z._default(z.number().check(z.int(), z.gte(1), z.lte(7)), 1),
  hour: z._default(z.number().check(z.int(), z.gte(0), z.lte(23)), 9),
});
export type Reminders = z.infer<typeof ZReminders>;

/** A team server (Hocuspocus) to sync my spaces with. */
export const ZServer = z.object({
  url: z.url({ protocol: /^(https?|wss?)$/ }),
  token: z.string().check(z.minLength(1), z.maxLength(4000)),
});
export type ServerSettings = z.infer<typeof ZServer>;

/** The extension's own settings (not part of the Candor document), kept in `storage.local`. */
export const ZSettings = z.object({
  /** My person id in the workspace. */
  me: z.optional(z.string().check(z.minLength(1))),
  theme: z._default(z.enum(THEMES), 'system'),
  reminders: z._default(ZReminders, () => ({ enabled: true, everyWeeks: 1, weekday: 1, hour: 9 })),
  feeds: z._default(z.array(ZFeed), () => []),
  server: z.optional(ZServer),
  /** Key results already celebrated, so a celebration happens once. */
  celebrated: z._default(z.array(z.string()), () => []),
  /** Which workspace the pages show: mine, or the demo organisation (local, never synced). */
  workspace: z._default(z.enum(['mine', 'demo']), 'mine'),
  /** The demo organisation, once opened: who I am in it. */
  demo: z.optional(z.object({ me: z.string().check(z.minLength(1)) })),
});
export type Settings = z.infer<typeof ZSettings>;

export const SETTINGS_KEY = 'candor:settings';
/** Mirrors in `localStorage`, read synchronously before first paint (boot script, first-paint module, workspaces.ts). */
export const THEME_MIRROR = 'candor:theme';
export const ME_MIRROR = 'candor:me';
/** `demo` while the demo organisation is shown; absent otherwise. */
export const WORKSPACE_MIRROR = 'candor:workspace';
/** Pages of one workspace tell each other about changes on its BroadcastChannel; two workspaces never share one. */
export const CHANNELS: Record<WorkspaceKind, string> = { mine: 'candor', demo: 'candor-demo' };

/** The workspace the pages show, who I am in it, and where it is stored. */
export interface ActiveWorkspace {
  kind: WorkspaceKind;
  me: string | undefined;
  database: string;
  channel: string;
}

export function activeWorkspace(settings: Settings): ActiveWorkspace {
  const kind: WorkspaceKind = settings.workspace === 'demo' && settings.demo ? 'demo' : 'mine';
  return { kind, me: kind === 'demo' ? settings.demo!.me : settings.me, database: DATABASES[kind], channel: CHANNELS[kind] };
}

/** Settings with `me` changed in the active workspace (in the demo, who I am in the demo). */
export function withMe(settings: Settings, me: string | undefined): Settings {
  if (activeWorkspace(settings).kind === 'demo') return me ? { ...settings, demo: { me } } : settings;
  const { me: _old, ...rest } = settings;
  return me ? { ...rest, me } : rest;
}

export function defaultSettings(): Settings {
  return z.parse(ZSettings, {});
}

/** Reads settings; anything malformed falls back to defaults field by field, never throws. */
export async function loadSettings(): Promise<Settings> {
  const stored = (await browser.storage.local.get(SETTINGS_KEY))[SETTINGS_KEY];
  const parsed = z.safeParse(ZSettings, stored ?? {});
  if (parsed.success) return parsed.data;
  const base = defaultSettings();
  if (stored && typeof stored === 'object') {
    for (const key of Object.keys(base) as (keyof Settings)[]) {
      const one = z.safeParse(ZSettings, { [key]: (stored as Record<string, unknown>)[key] });
      if (one.success) (base as Record<string, unknown>)[key] = one.data[key];
    }
  }
  return base;
}

/** Writes settings (validated) and mirrors what first paint needs into `localStorage`. */
export async function saveSettings(settings: Settings): Promise<Settings> {
  const valid = z.parse(ZSettings, settings);
  await browser.storage.local.set({ [SETTINGS_KEY]: valid });
  mirror(valid);
  return valid;
}

export async function updateSettings(change: (s: Settings) => Settings | void): Promise<Settings> {
  const current = await loadSettings();
  const next = change(current) ?? current;
  return saveSettings(next);
}

export function mirror(settings: Settings): void {
  if (typeof localStorage === 'undefined') return; // the service worker has none
  try {
    localStorage.setItem(THEME_MIRROR, settings.theme);
    const active = activeWorkspace(settings);
    if (active.me) localStorage.setItem(ME_MIRROR, active.me);
    else localStorage.removeItem(ME_MIRROR);
    if (active.kind === 'demo') localStorage.setItem(WORKSPACE_MIRROR, 'demo');
    else localStorage.removeItem(WORKSPACE_MIRROR);
  } catch {
    // storage disabled: the theme falls back to the system's
  }
}

/** Calls back whenever settings change in any page or the worker. */
export function onSettingsChanged(callback: (settings: Settings) => void): () => void {
  const listener = (changes: Record<string, { newValue?: unknown }>, area: string) => {
    if (area !== 'local' || !(SETTINGS_KEY in changes)) return;
    const parsed = z.safeParse(ZSettings, changes[SETTINGS_KEY]?.newValue ?? {});
    if (parsed.success) callback(parsed.data);
  };
  browser.storage.onChanged.addListener(listener);
  return () => browser.storage.onChanged.removeListener(listener);
}

/** Applies a theme to `<html>` (the theme script does the same before the bundle runs). */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  const dark = theme === 'dark' || (theme === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
  root.classList.toggle('theme-dark', dark);
  root.classList.toggle('theme-light', !dark);
  root.dataset.theme = theme;
}

/**
 * The `theme` attribute for Candor widgets under an appearance setting: light and dark are pinned;
 * `system` leaves it unset, so the widgets follow `prefers-color-scheme` exactly as the page does.
 */
export function widgetTheme(theme: Theme): 'light' | 'dark' | undefined {
  return theme === 'system' ? undefined : theme;
}
