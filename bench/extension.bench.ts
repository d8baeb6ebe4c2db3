// The extension's budgets, measured on the built extension in headless Chromium:
// - new tab: navigation → my goals painted (`candor:goals-painted`), sample organisation, median of ≥ 20 loads,
//   and its ratio to an empty extension page's first contentful paint loaded the same way;
// - JS loaded before first paint (gzip);
// - popup: navigation → check-in input focused; check-in save → committed to IndexedDB.
// Needs .output/chrome-mv3 (built here with `npx wxt build` when missing).
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchExtension, removeProfile, EXTENSION_DIR, type Loaded } from '../test/e2e/harness.ts';
import { median, percentile, ms, kB, type BenchRow } from './table.ts';

const LOADS = 25;
const TIME_CAP_MS = 60_000;

/**
 * One load: navigate, wait for the figure, then let the page finish its start-up (`settled`) so
 * the next navigation does not wait on this page's work — as opening a fresh new tab would not.
 */
async function timed(page: Page, url: string, read: string, settled?: string): Promise<number | null> {
  await page.goto(url, { waitUntil: 'commit' });
  try {
    await page.waitForFunction(read, undefined, { timeout: 10_000, polling: 10 });
  } catch {
    return null;
  }
  const value = (await page.evaluate(read)) as number;
  if (settled) await page.waitForFunction(settled, undefined, { timeout: 10_000, polling: 20 }).catch(() => undefined);
  return value;
}

async function series(page: Page, url: string, read: string, settled?: string): Promise<number[]> {
  const out: number[] = [];
  const until = Date.now() + TIME_CAP_MS;
  await timed(page, url, read, settled); // warm the page's code cache once, as a browser would after first use
  for (let i = 0; i < LOADS && Date.now() < until; i++) {
    const t = await timed(page, url, read, settled);
    if (t !== null) out.push(t);
  }
  return out;
}

const appReady = `performance.getEntriesByName('candor:app-ready').length > 0`;
const popupConnected = `performance.getEntriesByName('candor:popup-connected').length > 0`;

const mark = (name: string) => `(performance.getEntriesByName(${JSON.stringify(name)})[0] || {}).startTime`;
const fcp = `(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime`;

/** Every script the new tab's HTML loads or preloads before the app chunk (the first-paint graph), gzip -9. */
function firstPaintJs(): { bytes: number; files: number } {
  const html = readFileSync(join(EXTENSION_DIR, 'newtab.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/([^"]+\.js)"/g)].map((m) => m[1]!);
  files.push('theme.js');
  const bytes = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(EXTENSION_DIR, f)), { level: 9 }).length, 0);
  return { bytes, files: files.length };
}

const verdict = (value: number, budget: number): 'within' | 'over' => (value <= budget ? 'within' : 'over');

export async function run(): Promise<BenchRow[]> {
  if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) execSync('npx wxt build', { stdio: 'inherit' });
  const rows: BenchRow[] = [];
  const group = 'extension';
  let x: Loaded | undefined;
  try {
    x = await launchExtension();
    // Realistic data: the sample organisation (24 people, a quarter of weekly check-ins), seeded once.
    const setup = await x.open('newtab.html');
    await setup.getByRole('button', { name: 'Load the sample organisation' }).click();
    await setup.waitForSelector('.objective', { timeout: 30_000 });
    const counts = await setup.evaluate(() => ({ objectives: document.querySelectorAll('.objective').length, krs: document.querySelectorAll('li.kr').length }));
    await setup.waitForTimeout(1000); // the snapshot is written shortly after the last change

    const page = await x.context.newPage();
    const goals = await series(page, x.url('newtab.html'), mark('candor:goals-painted'), appReady);
    const blank = await series(page, x.url('blank.html'), fcp);
    const newtabFcp = await series(page, x.url('newtab.html'), fcp, appReady);
    const g = median(goals);
    const b = median(blank);
    rows.push(
      { group, name: `new tab: navigation → goals painted (${counts.objectives} objectives, ${counts.krs} KRs), median of ${goals.length}`, value: ms(g), budget: '≤ 50 ms', verdict: verdict(g, 50) },
      { group, name: 'new tab: goals painted, p95', value: ms(percentile(goals, 95)) },
      { group, name: `empty extension page: first contentful paint, median of ${blank.length}`, value: ms(b) },
      { group, name: 'new tab: first contentful paint, median', value: ms(median(newtabFcp)) },
      { group, name: 'ratio goals painted / empty page FCP', value: `${(g / b).toFixed(2)}×`, budget: '≤ 1.25×', verdict: verdict(g / b, 1.25) },
    );
    const js = firstPaintJs();
    rows.push({ group, name: `JS before first paint (${js.files} files, gzip -9)`, value: kB(js.bytes), budget: '≤ 40 kB', verdict: verdict(js.bytes / 1000, 40) });

    // Popup: navigation → the first check-in input focused.
    const focused = await series(page, x.url('popup.html'), mark('candor:checkin-input-focused'), popupConnected);
    rows.push({ group, name: `popup: navigation → input focused, median of ${focused.length}`, value: ms(median(focused)) });

    // Check-in save → committed (IndexedDB transaction done), measured in the page from submit to commit.
    await page.goto(x.url('popup.html'));
    await page.waitForFunction(mark('candor:checkin-input-focused'));
    const saves: number[] = [];
    const until = Date.now() + TIME_CAP_MS;
    const form = page.locator('form.checkin-form').filter({ has: page.locator('input[name=value]') }).first();
    const input = form.locator('input[name=value]');
    for (let i = 0; i < LOADS && Date.now() < until; i++) {
      const before = await page.evaluate(() => performance.getEntriesByName('candor:checkin-committed').length);
      await input.fill(String(40 + i));
      await input.press('Enter');
      await page.waitForFunction((n) => performance.getEntriesByName('candor:checkin-committed').length > n, before, { timeout: 10_000, polling: 5 });
      saves.push(
        await page.evaluate(() => {
          const submit = performance.getEntriesByName('candor:checkin-submit').at(-1)!;
          const committed = performance.getEntriesByName('candor:checkin-committed').at(-1)!;
          return committed.startTime - submit.startTime;
        }),
      );
    }
    const s = median(saves);
    rows.push(
      { group, name: `popup: check-in save → committed, median of ${saves.length}`, value: ms(s), budget: '≤ 20 ms', verdict: verdict(s, 20) },
      { group, name: 'popup: check-in save → committed, p95', value: ms(percentile(saves, 95)) },
    );
  } finally {
    if (x) {
      await x.close();
      removeProfile(x.userDataDir);
    }
  }
  return rows;
}
