// Loads the built extension (.output/chrome-mv3) into headless Debian Chromium with Playwright.
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromiumPath, CHROMIUM_ARGS } from '../../scripts/chromium.ts';

export const EXTENSION_DIR = resolve(import.meta.dirname, '../../.output/chrome-mv3');

export interface Loaded {
  context: BrowserContext;
  extensionId: string;
  worker: Worker;
  userDataDir: string;
  url(path: string): string;
  open(path: string): Promise<Page>;
  badge(): Promise<string>;
  close(): Promise<void>;
}

export function newProfile(): string {
  return mkdtempSync(join(tmpdir(), 'candor-e2e-'));
}

export function removeProfile(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Launches Chromium with the extension in `userDataDir` (a fresh profile unless given), optionally in another UI language. */
export async function launchExtension(userDataDir = newProfile(), options: { lang?: string } = {}): Promise<Loaded> {
  if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) throw new Error(`no built extension at ${EXTENSION_DIR}: run \`npx wxt build\` first`);
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('Chromium not found: run `node scripts/prereqs.mjs`');
  // Only the browser's start is retried (a slow start on a busy CI machine), never a test.
  const launch = async () => {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      // axe-core is injected as a script tag, which the extension pages' CSP would refuse.
      bypassCSP: true,
      args: [...CHROMIUM_ARGS, `--disable-extensions-except=${EXTENSION_DIR}`, `--load-extension=${EXTENSION_DIR}`, ...(options.lang ? [`--lang=${options.lang}`] : [])],
      // Chromium on Linux takes its UI language from the environment.
      ...(options.lang ? { env: { ...process.env, LANGUAGE: options.lang, LANG: `${options.lang}.UTF-8` } } : {}),
    });
    try {
      const found = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'));
      return { context, worker: found ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 })) };
    } catch (e) {
      await context.close().catch(() => undefined);
      throw e;
    }
  };
  let launched: Awaited<ReturnType<typeof launch>>;
  try {
    launched = await launch();
  } catch (first) {
    console.warn(`Chromium did not start with the extension (${(first as Error).message}); trying once more`);
    launched = await launch();
  }
  const { context } = launched;
  const worker = launched.worker;
  const extensionId = new URL(worker.url()).host;
  const url = (path: string) => `chrome-extension://${extensionId}/${path.replace(/^\//, '')}`;
  return {
    context,
    extensionId,
    worker,
    userDataDir,
    url,
    async open(path: string) {
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error(`[${path}] ${e.message}`));
      await page.goto(url(path));
      return page;
    },
    badge() {
      // The service worker may have been restarted; always ask the live one.
      const live = context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${extensionId}/`)) ?? worker;
      return live.evaluate(() => (globalThis as unknown as { chrome: { action: { getBadgeText(d: object): Promise<string> } } }).chrome.action.getBadgeText({}));
    },
    close: () => context.close(),
  };
}

/** Runs axe-core on a page (or only on what `within` selects) and returns its violations (rule id and the first targets of each). */
export async function axeViolations(page: Page, within?: string): Promise<{ id: string; impact: string | null | undefined; targets: string[]; help: string }[]> {
  await page.addScriptTag({ path: resolve(import.meta.dirname, '../../node_modules/axe-core/axe.min.js') });
  return page.evaluate(async (within) => {
    const axe = (window as unknown as { axe: { run(ctx: Document | object, opts: object): Promise<{ violations: { id: string; impact?: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(within ? { include: [[within]] } : document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  }, within);
}
